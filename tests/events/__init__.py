"""Tests of the events plugin."""
