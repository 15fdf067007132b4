"""Packaging for tb-scopegraph: a TensorBoard plugin that draws graphs with Graphviz."""

from pathlib import Path

from setuptools import Extension, setup

HERE = Path(__file__).parent

setup(
    name="tb-scopegraph",
    version="0.1.0",
    description=(
        "TensorBoard plugin and command line that draw computation graphs with "
        "Graphviz, name scopes as groups you open and close"
    ),
    long_description=(HERE / "README.md").read_text(encoding="utf-8"),
    long_description_content_type="text/markdown",
    license="Apache-2.0",
    python_requires=">=3.10",
    # The tab's files live in frontend/ in the source tree and ship as
    # tb_scopegraph/static inside the installed package: its modules bundled into bundle.js
    # (committed; `npm --prefix frontend run build` makes it again) and the stylesheet.
    packages=[
        "tb_scopegraph",
        "tb_scopegraph.reading",
        "tb_scopegraph.model",
        "tb_scopegraph.drawing",
        "tb_scopegraph.service",
        "tb_scopegraph.plugin",
        "tb_scopegraph.static",
    ],
    package_dir={"tb_scopegraph.static": "frontend"},
    package_data={"tb_scopegraph.static": ["bundle.js", "*.css"]},
    # The one-pass GraphDef reader in C; where it cannot be built (no compiler), the same
    # answers come from Python, several times slower on big graphs.
    ext_modules=[
        Extension(
            "tb_scopegraph.model._fastscan", ["tb_scopegraph/model/_fastscan.c"], optional=True
        )
    ],
    install_requires=[
        "tensorboard>=2.12",
        "werkzeug>=2.0",
        "protobuf>=3.20",
        "pygraphviz>=1.12",
        "numpy>=1.21",
        "cachetools>=5",
        "diskcache>=5.6",
        "platformdirs>=3",
    ],
    extras_require={
        "test": [
            "tensorflow-cpu==2.21.0",
            "torch==2.13.0",
            "tensorboardX>=2.6",
            "pytest>=8",
            "pytest-xdist>=3",
            "hypothesis>=6",
            "playwright>=1.45",
            "ruff>=0.6",
            "ipython>=8",
            # tests/test_remote.py: logdirs in S3, served by moto on 127.0.0.1. Pinned to a
            # set that installs together: s3fs and gcsfs each pin fsspec, aiobotocore pins
            # botocore, moto wants boto3's; left loose, pip backtracked through every
            # version of them for over ten minutes on a fresh install.
            "fsspec==2026.9.0",
            "s3fs==2026.9.0",
            "gcsfs==2026.10.1",
            "aiobotocore==3.10.0",
            "moto[server]==5.2.6",
            "boto3==1.43.117",
            "botocore==1.43.117",
        ],
        # The command line and the notebook read s3:// and gs:// logdirs (any fsspec URL).
        "remote": ["fsspec>=2023.1", "s3fs>=2024.2", "gcsfs>=2024.2"],
        # The demo writes PyTorch and tensorboardX graphs too; torch 2.13.0's CPU wheel is
        # the one on this project's machines (another version pulls a CUDA build).
        "demo": ["tensorflow-cpu==2.21.0", "torch==2.13.0", "tensorboardX>=2.6"],
    },
    entry_points={
        "tensorboard_plugins": ["scopegraph = tb_scopegraph.plugin:ScopeGraphPlugin"],
        "console_scripts": ["tb-scopegraph = tb_scopegraph.cli:main"],
    },
    classifiers=[
        "Programming Language :: Python :: 3",
        "Framework :: Jupyter",
        "Topic :: Scientific/Engineering :: Visualization",
    ],
)
