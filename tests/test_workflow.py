"""The GitHub Actions workflows to fork run the README's own commands, and pass actionlint.

No test here runs the workflow (it cannot run off GitHub): they read it. actionlint, when it is installed
(``pip install -r requirements-dev.txt``), checks its syntax, expressions and, with shellcheck, its scripts.
"""

import re
import shutil
import subprocess

import pytest
import yaml

from tone_helpers import paths
from tone_helpers.machine import ISA_SWITCHES

ROOT = paths.REPO_ROOT
WORKFLOW = ROOT / ".github" / "workflows" / "ci.yml"
PAGES = ROOT / ".github" / "workflows" / "pages.yml"  # the website (docs/site.md)
README = (ROOT / "README.md").read_text(encoding="utf-8")


def section(heading: str) -> str:
    """The README's text under ``## heading``, up to the next level-2 heading."""
    match = re.search(rf"^## {re.escape(heading)}\n(.*?)(?=^## )", README, re.M | re.S)
    assert match, f"README has no '## {heading}' section"
    return match.group(1)


def bash_lines(text: str) -> list[str]:
    """The commands in a Markdown text's ```bash blocks, comments dropped."""
    blocks = re.findall(r"^```bash\n(.*?)^```", text, re.M | re.S)
    return [line.split("  #")[0].strip() for block in blocks for line in block.splitlines() if line.strip()]


def workflow() -> dict:
    return yaml.safe_load(WORKFLOW.read_text(encoding="utf-8"))


def commands(job: dict) -> list[str]:
    """Every command line a job runs, in order."""
    return [line.strip() for step in job["steps"] for line in step.get("run", "").splitlines() if line.strip()]


@pytest.mark.parametrize("path", [WORKFLOW, PAGES], ids=lambda p: p.name)
def test_actionlint_passes(path):
    if shutil.which("actionlint") is None:
        pytest.skip("actionlint is not installed (pip install -r requirements-dev.txt)")
    done = subprocess.run(["actionlint", str(path)], capture_output=True, text=True, cwd=ROOT)
    assert done.returncode == 0, done.stdout + done.stderr


def test_the_test_jobs_run_the_readme_set_up_and_test_commands():
    set_up, test = bash_lines(section("Set up")), bash_lines(section("Test"))[0]
    assert "pip install -r requirements.txt" in set_up
    torch_cpu = next(line for line in set_up if line.startswith("pip install torch"))  # the README's Linux line
    job = workflow()["jobs"]["test"]
    steps = job["steps"]
    assert steps[-1]["run"].strip() == test, "the last step is the README's test command"
    assert "pip install -r requirements.txt" in commands(job)
    linux_torch = [s for s in steps if s.get("run", "").strip() == torch_cpu]
    assert [s.get("if") for s in linux_torch] == ["runner.os == 'Linux'"]
    before_tests = commands({"steps": steps[:-1]})
    assert before_tests.index(torch_cpu) < before_tests.index("pip install -r requirements.txt")


def test_the_platforms_are_linux_its_avx2_switches_macos_arm64_and_windows():
    job = workflow()["jobs"]["test"]
    entries = job["strategy"]["matrix"]["include"]
    assert sorted(e["os"] for e in entries) == ["macos-14", "ubuntu-latest", "ubuntu-latest", "windows-latest"]
    assert job["continue-on-error"] == "${{ matrix.not_seen_green }}"
    assert all(isinstance(e["not_seen_green"], bool) for e in entries)
    # the switches docs/testing.md names for "Checking another CPU", and the package knows as ISA_SWITCHES
    testing = (ROOT / "docs" / "testing.md").read_text(encoding="utf-8")
    readme_line = next(line for line in bash_lines(testing) if line.startswith("FBGEMM_ENABLE_INSTRUCTIONS="))
    readme_switches = dict(word.split("=", 1) for word in readme_line.split() if "=" in word)
    assert tuple(readme_switches) == ISA_SWITCHES
    step = next(s for s in job["steps"] if s.get("if") == "matrix.avx2_switches")
    written = dict(re.findall(r"echo (\w+)=(\S+)", step["run"]))
    assert written == readme_switches
    assert [e["os"] for e in entries if e.get("avx2_switches")] == ["ubuntu-latest"]


def test_every_job_prints_the_cpu_before_anything_else():
    for name, job in workflow()["jobs"].items():
        first = job["steps"][0]
        assert first.get("name", "").startswith("CPU"), f"{name}: its first step is {first}"
        if "pip install -r requirements.txt" in commands(job):
            assert any("machine_facts()" in s.get("run", "") for s in job["steps"]), name


def test_the_benchmark_job_runs_every_benchmark_in_its_quick_mode():
    scripts = sorted(
        p.name for p in (ROOT / "benchmarks").glob("*.py") if 'if __name__ == "__main__":' in p.read_text("utf-8")
    )
    runs = [c for c in commands(workflow()["jobs"]["benchmarks"]) if c.startswith("python benchmarks/")]
    assert sorted(c.split()[1].removeprefix("benchmarks/") for c in runs) == scripts
    for command in runs:
        assert "--preset tiny" in command, command
        script = (ROOT / command.split()[1]).read_text("utf-8")
        if '"--repeats"' in script:
            assert "--repeats 2" in command, command


def test_newest_deps_runs_weekly_and_ci_run_still_calls_the_readme_test_command():
    wf = workflow()
    triggers = wf[True] if True in wf else wf["on"]  # YAML 1.1 reads the key `on` as true
    assert len(triggers["schedule"]) == 1
    job = wf["jobs"]["newest-deps"]
    assert "github.event_name == 'schedule'" in job["if"]
    assert commands(job)[-1] == "bash .ci/newest-deps"
    ci_run = (ROOT / ".ci" / "run").read_text(encoding="utf-8").splitlines()
    assert bash_lines(section("Test"))[0] in ci_run


def test_the_pages_workflow_builds_with_the_readme_site_command_and_uploads_the_folder_it_writes():
    from tone_helpers.tools import site  # no Sphinx needed to read its constant

    line = next(line for line in section("More").splitlines() if "](docs/site.md)" in line)
    command = re.search(r"`(tone-[a-z]+)`", line).group(1)  # the README names the command
    pages = yaml.safe_load(PAGES.read_text(encoding="utf-8"))
    triggers = pages[True] if True in pages else pages["on"]
    assert triggers["push"]["branches"] == ["main"] and "workflow_dispatch" in triggers
    assert pages["permissions"] == {"contents": "read", "pages": "write", "id-token": "write"}
    build = pages["jobs"]["build"]
    set_up = bash_lines((ROOT / "docs" / "site.md").read_text(encoding="utf-8"))  # docs/site.md's lines, in order
    assert commands(build) == set_up[: set_up.index(command) + 1], "the workflow runs docs/site.md's lines"
    assert not any("requirements.txt" in c or "torch" in c for c in commands(build)), "the site needs no torch"
    upload = next(s for s in build["steps"] if s.get("uses", "").startswith("actions/upload-pages-artifact@"))
    assert upload["with"]["path"] == site.SITE
    deploy = pages["jobs"]["deploy"]
    assert deploy["needs"] == "build" and deploy["environment"]["name"] == "github-pages"
    assert deploy["environment"]["url"] == "${{ steps.deployment.outputs.page_url }}"
    assert [s["uses"].split("@")[0] for s in deploy["steps"]] == ["actions/deploy-pages"]


def test_the_test_jobs_install_the_site_packages_and_name_the_runners_browser_before_pytest():
    """GitHub sets CI=true, under which tests/test_site.py fails rather than skips: the job gives it what it needs."""
    before = commands({"steps": workflow()["jobs"]["test"]["steps"][:-1]})
    assert "pip install -r requirements-site.txt" in before
    assert any("TONE_CHROMIUM=" in c for c in before) and any("TONE_CHROMEDRIVER=" in c for c in before)
