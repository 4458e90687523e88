import * as core from '@actions/core';

export interface SummarySection {
  heading: string;
  /** Lines of plain text shown under the heading. */
  lines?: string[];
  /** First row is the header. Cells are plain text (escaped here). */
  table?: string[][];
  /** A collapsed block of preformatted text, e.g. a failure's details. */
  details?: { label: string; text: string };
}

/** Escapes text for the summary's HTML. Cells and lines are text, never markup. */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

/**
 * Writes sections to the job summary. Outside a runner (no GITHUB_STEP_SUMMARY)
 * it does nothing: the CLI prints its own text.
 */
export async function writeSummary(sections: SummarySection[]): Promise<void> {
  if (!process.env.GITHUB_STEP_SUMMARY) return;
  for (const section of sections) {
    core.summary.addHeading(escapeHtml(section.heading), 3);
    for (const line of section.lines ?? []) core.summary.addRaw(`<p>${escapeHtml(line)}</p>`, true);
    if (section.table && section.table.length > 0) {
      const [header, ...rows] = section.table;
      core.summary.addTable([
        header!.map((cell) => ({ data: escapeHtml(cell), header: true })),
        ...rows.map((row) => row.map((cell) => escapeHtml(cell))),
      ]);
    }
    if (section.details) {
      core.summary.addDetails(
        escapeHtml(section.details.label),
        `<pre>${escapeHtml(section.details.text)}</pre>`,
      );
    }
  }
  await core.summary.write();
}
