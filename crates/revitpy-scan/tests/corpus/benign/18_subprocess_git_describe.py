# technique: near miss — subprocess.run(['git', 'describe', ...]) with a list argument and no shell, to stamp the add-in build version in the About box
import os
import subprocess

HERE = os.path.dirname(os.path.abspath(__file__))


def git_version(default="0.0.0-dev"):
    try:
        out = subprocess.run(
            ["git", "describe", "--tags", "--always", "--dirty"],
            cwd=HERE,
            capture_output=True,
            text=True,
            timeout=5,
            check=True,
        )
        return out.stdout.strip() or default
    except (OSError, subprocess.SubprocessError):
        return default


def git_changed_files():
    res = subprocess.run(["git", "status", "--porcelain"], cwd=HERE, capture_output=True, text=True, timeout=5)
    return [line[3:] for line in res.stdout.splitlines()]


def about_text():
    return "Parameter Sync {}\n{} local changes".format(git_version(), len(git_changed_files()))


if __name__ == "__main__":
    print(about_text())
