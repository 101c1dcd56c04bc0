"""axe-core, run in the page under test: the rules a screen-reader or keyboard user would
trip on. The script comes inside the axe-playwright-python wheel; nothing is downloaded."""

from axe_playwright_python.sync_playwright import Axe

_axe = Axe()


def axe_violations(page):
    """Every violation axe finds on the page as it stands, of any impact."""
    return _axe.run(page).response["violations"]


def describe(violations):
    lines = []
    for violation in violations:
        lines.append(f"{violation['id']} ({violation['impact']}): {violation['help']}")
        for node in violation["nodes"][:5]:
            lines.append(f"    {' '.join(node['target'])}: {node['failureSummary']}")
    return "\n".join(lines)


def assert_accessible(page):
    violations = axe_violations(page)
    assert not violations, f"axe on {page.url}:\n{describe(violations)}"
