"""A plain value type for the modules the quick paths load."""

from __future__ import annotations


class Record:
    """A plain value object (dataclasses cost milliseconds to import on the quick paths).

    Equal when its fields are, and printed with them.
    """

    __slots__: tuple[str, ...] = ()

    def _fields(self) -> tuple[object, ...]:
        return tuple(getattr(self, k) for k in self.__slots__)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Record) and (type(other), other._fields()) == (
            type(self),
            self._fields(),
        )

    def __hash__(self) -> int:
        return hash(repr(self._fields()))

    def __repr__(self) -> str:
        inner = ", ".join(f"{k}={getattr(self, k)!r}" for k in self.__slots__)
        return f"{type(self).__name__}({inner})"
