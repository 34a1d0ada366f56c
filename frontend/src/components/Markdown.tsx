import DOMPurify from "dompurify";
import { marked } from "marked";
import { useMemo } from "react";

/** Renders project guidelines. The HTML is sanitised because any project manager can edit them. */
export function Markdown({ text }: { text: string }) {
  const html = useMemo(() => DOMPurify.sanitize(marked.parse(text, { async: false })), [text]);
  // biome-ignore lint/security/noDangerouslySetInnerHtml: the HTML went through DOMPurify just above.
  return <div className="markdown" dangerouslySetInnerHTML={{ __html: html }} />;
}
