import axe from 'axe-core'

/**
 * axe-core on what is in the document, with the rule sets of the end-to-end
 * checks (tests/e2e/fixtures.ts): every violation, whatever its impact, as
 * "rule: first node". Colour contrast needs a real rendering and is left to
 * the end-to-end run in Chromium; happy-dom has no layout.
 */
export async function axeViolations(root: Element = document.body): Promise<string[]> {
  const results = await axe.run(root, {
    runOnly: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'best-practice'],
    rules: { 'color-contrast': { enabled: false } },
  })
  return results.violations.map((v) => `${v.id} (${v.impact ?? 'no impact'}): ${v.nodes[0]?.html ?? ''}`)
}
