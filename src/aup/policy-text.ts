import { createHash } from 'node:crypto';

/** The digest stored with every acceptance: proof of exactly which words were agreed to. */
export function textHash(text: string): string {
  return createHash('sha256').update(text.replace(/\r\n/g, '\n')).digest('hex');
}

/**
 * The clauses a card shows: the numbered items of the policy's Markdown ("1. I will ..."), in order.
 * A policy without a numbered list shows its first paragraph instead.
 */
export function clausesOf(markdown: string): string[] {
  const numbered = [...markdown.matchAll(/^\s*\d+[.)]\s+(.+)$/gm)].map((m) => m[1]!.trim());
  if (numbered.length) return numbered;
  const para = markdown
    .split(/\n\s*\n/)
    .map((p) => p.replace(/^#.*$/gm, '').trim())
    .find(Boolean);
  return para ? [para.replace(/\s+/g, ' ')] : [];
}
