"""NodeDef and AttrValue contents as short text: shapes, dtypes, attribute values, sizes."""

from __future__ import annotations

from tensorboard.compat.proto import types_pb2

_DTYPE_ATTRS = ("T", "dtype", "out_type", "DstT", "Tout", "output_type")
#: Attribute values are shown clipped to this many characters.
_ATTR_CLIP = 400


def is_resource(node) -> bool:
    """Whether a NodeDef's ``dtype`` attribute says it is a resource handle."""
    return "dtype" in node.attr and node.attr["dtype"].type == types_pb2.DT_RESOURCE


def format_shape(shape) -> str:
    """A TensorShapeProto as text, ``?`` for unknown dimensions.

    >>> from tensorboard.compat.proto.tensor_shape_pb2 import TensorShapeProto
    >>> format_shape(TensorShapeProto(dim=[TensorShapeProto.Dim(size=-1),
    ...                                    TensorShapeProto.Dim(size=784)]))
    '[?,784]'
    >>> format_shape(TensorShapeProto(unknown_rank=True))
    '?'
    """
    if shape.unknown_rank:
        return "?"
    return "[" + ",".join("?" if d.size < 0 else str(d.size) for d in shape.dim) + "]"


def shape_of(node, slot: int) -> str:
    """The shape a NodeDef's ``_output_shapes`` gives output ``slot``, or ''."""
    attr = node.attr
    if "_output_shapes" not in attr:
        return ""
    shapes = attr["_output_shapes"].list.shape
    if slot >= len(shapes):
        return ""
    return format_shape(shapes[slot])


def dtype_of(node, slot: int) -> str:
    """The dtype a NodeDef's attributes give output ``slot``, or ''."""
    attr = node.attr
    if "_output_types" in attr:
        types = attr["_output_types"].list.type
        if slot < len(types):
            return _dtype_name(types[slot])
    for key in _DTYPE_ATTRS:
        if key in attr:
            value = attr[key]
            if value.WhichOneof("value") == "type":
                return _dtype_name(value.type)
            if value.WhichOneof("value") == "list" and slot < len(value.list.type):
                return _dtype_name(value.list.type[slot])
    return ""


def format_attr(value) -> dict:
    """An AttrValue as short text with its full size, clipped when it is long."""
    if value.WhichOneof("value") == "s" and len(value.s) > _ATTR_CLIP * 4:
        # Decoding megabytes with backslashreplace takes seconds: decode what is shown, and
        # count the rest (each undecodable byte shows as four characters, ``\xff``).
        valid = value.s.decode("utf-8", errors="ignore")
        size = len(valid) + 4 * (len(value.s) - len(valid.encode("utf-8")))
        text = value.s[: _ATTR_CLIP * 4].decode("utf-8", errors="backslashreplace")
        return {"value": text[:_ATTR_CLIP] + "…", "size": size, "clipped": True}
    text = _attr_text(value)
    size = len(text)
    if value.WhichOneof("value") == "tensor":
        size = _tensor_bytes(value.tensor)
    clipped = len(text) > _ATTR_CLIP
    if clipped:
        text = text[:_ATTR_CLIP] + "…"
    return {"value": text, "size": size, "clipped": clipped}


def _attr_text(value) -> str:
    which = value.WhichOneof("value")
    if which == "s":
        return value.s.decode("utf-8", errors="backslashreplace")
    if which in ("i", "f", "b"):
        return str(getattr(value, which)).lower() if which == "b" else str(getattr(value, which))
    if which == "type":
        return _dtype_name(value.type)
    if which == "shape":
        return format_shape(value.shape)
    if which == "tensor":
        return _tensor_text(value.tensor)
    if which == "func":
        return value.func.name
    if which == "placeholder":
        return "$" + value.placeholder
    if which == "list":
        lst = value.list
        items: list[str] = []
        items += [s.decode("utf-8", errors="backslashreplace") for s in lst.s[:64]]
        items += [str(i) for i in lst.i[:64]] + [str(f) for f in lst.f[:64]]
        items += [str(b).lower() for b in lst.b[:64]]
        items += [_dtype_name(t) for t in lst.type[:64]]
        items += [format_shape(s) for s in lst.shape[:64]]
        items += [_tensor_text(t) for t in lst.tensor[:8]]
        items += [f.name for f in lst.func[:64]]
        return "[" + ", ".join(items) + "]"
    return ""


def _tensor_text(tensor) -> str:
    dtype = _dtype_name(tensor.dtype)
    shape = format_shape(tensor.tensor_shape)
    values = ""
    for field in ("float_val", "double_val", "int_val", "int64_val", "bool_val"):
        got = getattr(tensor, field)
        if len(got):
            values = " ".join(str(v) for v in got[:16]) + (" …" if len(got) > 16 else "")
            break
    else:
        if tensor.string_val:
            values = " ".join(
                repr(s[:64].decode("utf-8", errors="backslashreplace"))
                for s in tensor.string_val[:8]
            )
        elif tensor.tensor_content:
            values = f"<{len(tensor.tensor_content)} bytes>"
    return f"{dtype} {shape} {values}".strip()


def _tensor_bytes(tensor) -> int:
    if tensor.tensor_content:
        return len(tensor.tensor_content)
    return tensor.ByteSize()


def _elements(shape) -> int:
    if shape.unknown_rank:
        return 0
    count = 1
    for dim in shape.dim:
        if dim.size < 0:
            return 0
        count *= dim.size
    return count


def variable_elements(node) -> int:
    """How many elements a variable op's ``shape`` attribute gives (0 when unknown)."""
    return _elements(node.attr["shape"].shape) if "shape" in node.attr else 0


def const_elements(node) -> int:
    """How many elements a Const op's value holds (0 when its shape is unknown)."""
    if "value" not in node.attr:
        return 0
    tensor = node.attr["value"].tensor
    return _elements(tensor.tensor_shape)


_DTYPE_NAMES: dict[int, str] = {}


def _dtype_name(value: int) -> str:
    if not _DTYPE_NAMES:
        for name, number in types_pb2.DataType.items():
            _DTYPE_NAMES[number] = name.removeprefix("DT_").lower()
    return _DTYPE_NAMES.get(value, f"type{value}")
