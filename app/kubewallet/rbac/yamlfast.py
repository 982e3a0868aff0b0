"""YAML documents built straight from libyaml's event stream: the same values, several times faster.

PyYAML's C loader (`CSafeLoader`) spends most of its time not in libyaml but in composing a
node tree (one Python object with two marks per scalar) and then walking it with the generic
constructor. A `kubectl get ... -o yaml` dump of 10,000 bindings is about a million events;
building dicts, lists and scalars directly from the events takes a fraction of the time.

The result is what `yaml.load_all(text, Loader=yaml.CSafeLoader)` returns: plain scalars are
resolved with PyYAML's own YAML 1.1 implicit resolvers (so `yes` is True, `~` is None, `0o17`
and `1_000` are numbers, a bare date is a date) and converted by PyYAML's `SafeConstructor`.
Anything unusual (explicit tags, merge keys `<<`, complex keys, undefined aliases) makes
`load_all` fall back to `CSafeLoader`, which then also reports errors in its usual words.
Syntax errors come from libyaml through either path, with their line and column.
"""

from __future__ import annotations

import yaml
from yaml.events import (AliasEvent, DocumentEndEvent, DocumentStartEvent, MappingEndEvent,
                         MappingStartEvent, ScalarEvent, SequenceEndEvent, SequenceStartEvent)
from yaml.nodes import ScalarNode

STR = "tag:yaml.org,2002:str"
_RESOLVERS = yaml.resolver.Resolver.yaml_implicit_resolvers
_WILDCARD = _RESOLVERS.get(None, [])
_CONSTRUCT = {
    "tag:yaml.org,2002:null": lambda c, n: None,
    "tag:yaml.org,2002:bool": yaml.constructor.SafeConstructor.construct_yaml_bool,
    "tag:yaml.org,2002:int": yaml.constructor.SafeConstructor.construct_yaml_int,
    "tag:yaml.org,2002:float": yaml.constructor.SafeConstructor.construct_yaml_float,
    "tag:yaml.org,2002:timestamp": yaml.constructor.SafeConstructor.construct_yaml_timestamp,
}


class _Fallback(Exception):
    """Something the fast path does not do: let CSafeLoader do all of it."""


def _plain(value: str, ctor: yaml.constructor.SafeConstructor):
    resolvers = _RESOLVERS.get(value[0] if value else "", ())
    for tag, regexp in (*resolvers, *_WILDCARD):
        if regexp.match(value):
            make = _CONSTRUCT.get(tag)
            if make is None:
                raise _Fallback(tag)  # merge (<<), value (=), or a resolver someone added
            return make(ctor, ScalarNode(tag, value))
    return value


def _events_to_documents(text: str) -> list:
    loader = yaml.CBaseLoader(text)
    ctor = yaml.constructor.SafeConstructor()
    docs: list = []
    anchors: dict[str, object] = {}
    # stack of [container, pending_key, has_key]; a document is a one-slot list at the bottom
    stack: list[list] = []
    NO = object()
    try:
        while True:
            ev = loader.get_event()
            if ev is None:
                break
            cls = type(ev)
            if cls is ScalarEvent:
                if ev.tag is not None and ev.tag != "!":
                    raise _Fallback("explicit tag")
                value = _plain(ev.value, ctor) if ev.implicit[0] else ev.value  # as Resolver.resolve
            elif cls is MappingStartEvent or cls is SequenceStartEvent:
                if ev.tag is not None and ev.tag != "!":
                    raise _Fallback("explicit tag")
                container = {} if cls is MappingStartEvent else []
                if ev.anchor is not None:
                    anchors[ev.anchor] = container
                stack.append([container, NO])
                continue
            elif cls is MappingEndEvent or cls is SequenceEndEvent:
                value = stack.pop()[0]
            elif cls is AliasEvent:
                if ev.anchor not in anchors:
                    raise _Fallback("undefined alias")
                value = anchors[ev.anchor]
            elif cls is DocumentStartEvent:
                anchors = {}
                stack.append([[], NO])
                continue
            elif cls is DocumentEndEvent:
                holder = stack.pop()[0]
                docs.append(holder[0] if holder else None)
                continue
            else:  # stream start / end
                continue
            if cls is ScalarEvent and ev.anchor is not None:
                anchors[ev.anchor] = value
            top = stack[-1]
            container = top[0]
            if type(container) is dict:
                if top[1] is NO:
                    if isinstance(value, (dict, list)):
                        raise _Fallback("complex key")
                    top[1] = value
                else:
                    container[top[1]] = value
                    top[1] = NO
            else:
                container.append(value)
    finally:
        loader.dispose()
    return docs


def load_all(text: str) -> list:
    """Every document of `text`, as `list(yaml.load_all(text, Loader=yaml.CSafeLoader))`."""
    try:
        return _events_to_documents(text)
    except _Fallback:
        return list(yaml.load_all(text, Loader=yaml.CSafeLoader))
