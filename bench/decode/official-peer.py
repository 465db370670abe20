"""The broker's official Python client's decode work on a corpus of REAL frames, for `npm run bench`.

What the official client does per frame (Kiwoom-REST-API kiwoom/realtime/decoders.py @439395b,
described, not copied): parse the text with the stdlib `json`, then for a REAL message rebuild each
entry with its `values` keys renamed from FID numbers to the fid.py names (unknown FIDs kept as is).

Usage: python3 official-peer.py <corpus file, one frame per line> <rounds>
Prints one JSON line: {"framesPerSecond": median over rounds, "entries": entries per round}.
Frames are handed over as str (the websockets library decodes UTF-8 before the client sees them).
"""

import json
import statistics
import sys
import time

# fid.py's names for the FIDs of 0B 주식체결 and 0A 주식기세 (protocol.md 3.7).
FID_0B = {
    "20": "체결시간", "10": "현재가", "11": "전일대비", "12": "등락율", "27": "(최우선)매도호가", "28": "(최우선)매수호가",
    "15": "거래량", "13": "누적거래량", "14": "누적거래대금", "16": "시가", "17": "고가", "18": "저가", "25": "전일대비기호",
    "26": "전일거래량대비(계약,주)", "29": "거래대금증감", "30": "전일거래량대비(비율)", "31": "거래회전율", "32": "거래비용",
    "228": "체결강도", "311": "시가총액(억)", "290": "장구분", "691": "K.O 접근도", "567": "상한가발생시간", "568": "하한가발생시간",
    "851": "전일 동시간 거래량 비율", "1890": "시가시간", "1891": "고가시간", "1892": "저가시간", "1030": "매도체결량",
    "1031": "매수체결량", "1032": "매수비율", "1071": "매도체결건수", "1072": "매수체결건수", "1313": "순간거래대금",
    "1314": "순매수체결량", "1315": "매도체결량_단건", "1316": "매수체결량_단건", "1497": "CFD증거금", "1498": "유지증거금",
    "620": "당일거래평균가", "732": "CFD거래비용", "852": "대주거래비용", "9081": "거래소구분",
}
FID_0A = {k: FID_0B[k] for k in ("10", "11", "12", "27", "28", "13", "14", "16", "17", "18", "25", "26", "29", "30", "31", "32", "311", "567", "568")}
FID_MAP = {"0B": FID_0B, "0A": FID_0A}


def rename(real_type, values):
    names = FID_MAP.get(real_type, {})
    return {names.get(k, k): v for k, v in values.items()}


def decode(message):
    if not isinstance(message, dict) or str(message.get("trnm", "")).upper() != "REAL":
        return message
    data = message.get("data")
    if not isinstance(data, list):
        return message
    out = []
    for entry in data:
        if isinstance(entry, dict):
            real_type = entry.get("type", "")
            values = entry.get("values")
            if isinstance(values, dict) and real_type:
                out.append({**entry, "values": rename(real_type, values)})
                continue
        out.append(entry)
    return {**message, "data": out}


def main():
    path, rounds = sys.argv[1], int(sys.argv[2])
    with open(path, encoding="utf-8") as f:
        frames = [line.rstrip("\n") for line in f if line.strip()]
    entries = 0
    for text in frames:  # warm-up round, counting entries
        entries += len(decode(json.loads(text))["data"])
    rates = []
    for _ in range(rounds):
        t0 = time.perf_counter()
        for text in frames:
            decode(json.loads(text))
        rates.append(len(frames) / (time.perf_counter() - t0))
    print(json.dumps({"framesPerSecond": statistics.median(rates), "entries": entries}))


if __name__ == "__main__":
    main()
