export { openRecordingWriter, type RecordingWriter, type RecordingWriterOptions, type RecordingWriterStats } from './recording-writer.js';
export { openRecordingReader, type RecordingReader, type FrameReadOptions } from './recording-reader.js';
export type { RawFrame } from './recording-chunk.js';
export { listRecordings, type RecordingInfo } from './list-recordings.js';
export { recordingRefusal, redactForRecording } from './recording-guard.js';
export { recordingFileName, RECORDING_SUFFIX, RECORDING_FORMAT_VERSION } from './recording-file.js';
export type { WarnLog as RecordingLogger } from '../../core/logger.js';
export { pruneRecordings, type PrunedRecording, type RetentionPolicy } from './retention.js';
