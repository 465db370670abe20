/**
 * Fenced code blocks of a Markdown document, found by a marker comment on the line before the fence:
 *
 *   <!-- doc-test: strategy -->
 *   ```ts
 *   ...
 *   ```
 *
 * Tests run the marked blocks, so the prose around them can be rewritten freely as long as the marked
 * blocks keep working.
 */
export function markedBlock(markdown: string, marker: string): { lang: string; code: string } {
  const lines = markdown.split('\n');
  const at = lines.findIndex((l) => l.trim() === `<!-- doc-test: ${marker} -->`);
  if (at < 0) throw new Error(`no <!-- doc-test: ${marker} --> marker in the document`);
  const open = /^```(\S*)\s*$/.exec(lines[at + 1] ?? '');
  if (!open) throw new Error(`the line after <!-- doc-test: ${marker} --> does not open a fenced block`);
  const end = lines.findIndex((l, i) => i > at + 1 && l.trim() === '```');
  if (end < 0) throw new Error(`the block after <!-- doc-test: ${marker} --> is not closed`);
  return { lang: open[1] ?? '', code: `${lines.slice(at + 2, end).join('\n')}\n` };
}
