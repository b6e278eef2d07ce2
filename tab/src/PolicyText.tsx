import { makeStyles, tokens } from '@fluentui/react-components';
import MarkdownIt from 'markdown-it';
import { useMemo } from 'react';

/**
 * A policy's text as its author wrote it, formatted: headings, numbered clauses, emphasis, links,
 * never raw `#` and `##`. markdown-it with `html: false` escapes any HTML in the policy and refuses
 * `javascript:` links, so the one `dangerouslySetInnerHTML` here only ever holds markdown-it's output.
 */
const markdown = new MarkdownIt({ html: false, linkify: false, typographer: false });

const useStyles = makeStyles({
  policy: {
    maxWidth: '72ch',
    lineHeight: tokens.lineHeightBase400,
    '& h1': { fontSize: tokens.fontSizeBase600, margin: `${tokens.spacingVerticalM} 0` },
    '& h2': { fontSize: tokens.fontSizeBase500, margin: `${tokens.spacingVerticalM} 0 ${tokens.spacingVerticalS}` },
    '& li': { marginBottom: tokens.spacingVerticalXS },
  },
});

export function PolicyText({ text, label }: { text: string; label: string }) {
  const s = useStyles();
  const html = useMemo(() => markdown.render(text), [text]);
  return <article aria-label={label} className={s.policy} dangerouslySetInnerHTML={{ __html: html }} />;
}
