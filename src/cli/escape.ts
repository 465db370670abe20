/**
 * Text from files and from the broker reaches the terminal through these: a control character
 * (an ESC sequence can rewrite the screen or the title, a CR can hide a line) is shown as an escape.
 */

/** C0 controls, DEL, C1 controls, line/paragraph separators and bidi overrides. */
const CONTROL = /[\u0000-\u001f\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g;

const hex = (c: string): string => {
  const code = c.charCodeAt(0);
  return code <= 0xff ? `\\x${code.toString(16).padStart(2, '0')}` : `\\u${code.toString(16).padStart(4, '0')}`;
};

/** Every control character as a visible `\xNN` / `\uNNNN` (tab and newline too: one value, one line). */
export function escapeControl(text: string): string {
  return text.replace(CONTROL, hex);
}

/** Multi-line text: each line escaped, the line breaks kept. */
export function escapeControlLines(text: string): string {
  return text.split('\n').map(escapeControl).join('\n');
}

/**
 * JSON text: JSON.stringify escapes C0 but leaves DEL, C1 and the separators raw. They can only occur
 * inside strings, where `\uNNNN` is the same value: the output stays valid JSON with identical data.
 */
export function escapeJsonControls(json: string): string {
  return json.replace(/[\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}
