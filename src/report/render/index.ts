// One entry point for every report format.
import type { ReportData } from '../report-data.js';
import { renderText } from './text.js';
import { renderMarkdown } from './markdown.js';
import { renderHtml } from './html.js';
import { renderJson } from './json.js';

export const FORMATS = ['text', 'md', 'html', 'json'] as const;
export type Format = (typeof FORMATS)[number];

export function render(d: ReportData, format: Format): string {
  switch (format) {
    case 'text': return renderText(d);
    case 'md': return renderMarkdown(d);
    case 'html': return renderHtml(d);
    case 'json': return renderJson(d);
  }
}
