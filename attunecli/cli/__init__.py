"""The Typer layer: parse options, build `Deps`, call one core function, map errors to exits."""

from attunecli.cli.app import app

__all__ = ["app"]
