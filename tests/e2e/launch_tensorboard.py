"""Run TensorBoard exactly as the `tensorboard` command does, plus this checkout's plugin.

When tb-scopegraph is installed (`pip install -e .`), TensorBoard finds the plugin through its
entry point and this is plain `tensorboard`. From a bare checkout, the plugin is added here.

    python tests/e2e/launch_tensorboard.py --logdir DIR --host 127.0.0.1 --port N
"""

import sys
from pathlib import Path

from absl import app
from tensorboard import default, main_lib, program

REPO = Path(__file__).resolve().parents[2]


def main(extra_plugins=()) -> None:
    """`extra_plugins`: TBPlugin classes to show besides (bench/floor_plugin.py's tab)."""
    main_lib.global_init()
    plugins = default.get_plugins()
    if not any(getattr(p, "plugin_name", None) == "scopegraph" for p in plugins):
        sys.path.insert(0, str(REPO))
        from tb_scopegraph.plugin import ScopeGraphPlugin

        plugins.append(ScopeGraphPlugin)
    tensorboard = program.TensorBoard(plugins=[*plugins, *extra_plugins])
    app.run(tensorboard.main, flags_parser=tensorboard.configure)


if __name__ == "__main__":
    main()
