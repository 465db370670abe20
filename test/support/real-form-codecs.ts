import { KIWOOM_TRS } from '../../src/adapters/kiwoom/api.js';

/**
 * Whether the codecs already read the real forms this branch's simulator sends (protocol.md §10.2):
 * ka10059 `flu_rt` `"+122"` = 1.22 % and ka10061 `"--23533"` = -23533. The codecs are the decode
 * room's (issue 13 item 1); tests of these two readings run once the codecs pass this probe.
 */
export function codecsReadRealForms(): boolean {
  const zeros = (keys: ReadonlySet<string> | undefined): Record<string, string> => Object.fromEntries([...(keys ?? [])].map((k) => [k, '0']));
  const day = KIWOOM_TRS.ka10059.schema.safeParse({ stk_invsr_orgn: [{ ...zeros(KIWOOM_TRS.ka10059.rowKeys), dt: '20241107', pre_sig: '2', flu_rt: '+122' }] });
  const total = KIWOOM_TRS.ka10061.schema.safeParse({ stk_invsr_orgn_tot: [{ ...zeros(KIWOOM_TRS.ka10061.rowKeys), ind_invsr: '--23533' }] });
  return day.success && day.data.stk_invsr_orgn[0]?.flu_rt === 1.22 && total.success && total.data.stk_invsr_orgn_tot[0]?.ind_invsr === -23533;
}
