"""Shared pytest setup."""

import os

# TensorFlow's start-up chatter hides test output.
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
