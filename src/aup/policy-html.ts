import MarkdownIt from 'markdown-it';

/**
 * A policy's Markdown as HTML for people to read (the parent's page): headings, lists, emphasis and
 * links, never raw `#`. markdown-it with `html: false` escapes any HTML in the text and refuses
 * `javascript:` and similar links (its validateLink), so a policy file cannot inject a script.
 */
const markdown = new MarkdownIt({ html: false, linkify: false, typographer: false });

export function policyHtml(text: string): string {
  return markdown.render(text);
}
