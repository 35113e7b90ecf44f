// @ts-check
import { element } from './element.js';

/**
 * An ACP agent's typed output line, in words (the CLI says the same, contracts/acp-line-text.js),
 * each part in its own span so a thought, a tool call, a plan and a diff each look their own way.
 * The line comes from the TPU: its text only ever goes in as text.
 * @param {import('/web/acp-line-text.js').AcpPart[]} parts  acpLineParts of the stored line
 */
export function acpLineView(parts) {
  return parts.map((part) =>
    element('span', { class: `acp-part acp-${part.kind}`, 'data-kind': part.kind }, part.text),
  );
}
