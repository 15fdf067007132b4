"""A deep transformer's training step with Adam, written as GraphDef protos node by node.

What TensorFlow would write for it if it could hold it: real op types, TF's names (``scope/Op``,
then ``scope/Op_1``), ``T``/``dtype`` and ``_output_shapes`` on every node, the gradients under
``gradient_tape/`` mirroring the forward ops in reverse, and TF1's Adam (a
``ResourceApplyAdam`` per variable, its slots ``<var>/Adam`` and ``<var>/Adam_1``). Nodes are
serialized as they are made, so the million of them take about 0.75 GB at the peak (most of it
the names and shapes the backward pass looks up) and about 11 s of one core.
"""

from __future__ import annotations

_F, _I32, _BOOL = 1, 3, 10  # types_pb2.DT_FLOAT, DT_INT32, DT_BOOL
# Ops whose outputs carry no gradient here (integers, booleans, randomness, the graph's inputs).
_NO_GRAD = {"Const", "Placeholder", "VarHandleOp", "Shape", "RandomUniform", "GreaterEqual", "Cast"}
# The type attributes of ops that have no single ``T`` (or ``dtype``), as TF's op registry names
# them, for the one way this graph uses each: shapes of float tensors, int32 shapes drawn into
# floats, booleans cast to floats.
_TYPES = {
    "Shape": {"T": _F, "out_type": _I32},
    "ShapeN": {"T": _F, "out_type": _I32},
    "RandomUniform": {"T": _I32, "dtype": _F},
    "Cast": {"SrcT": _BOOL, "DstT": _F},
    "ConcatOffset": {"shape_type": _I32},
}


class _Step:
    """A GraphDef written node by node, TF style: ``scope/Op``, then ``scope/Op_1`` and so on.

    Nodes are serialized in chunks of 50k and the chunks joined (a GraphDef's bytes are the
    concatenation of its nodes' records), so a million nodes never sit in memory as messages.
    Forward ops are recorded (name, op, inputs, scope) for the backward pass to mirror.
    """

    def __init__(self):
        from tensorboard.compat.proto import attr_value_pb2, graph_pb2

        self._pb = graph_pb2, attr_value_pb2
        self.graph = graph_pb2.GraphDef()
        self.graph.versions.producer = 1882
        self.chunks: list[bytes] = []
        self.used: dict[str, int] = {}
        self.shape: dict[str, tuple] = {}
        self.needs_grad: dict[str, bool] = {}
        self.forward: list[tuple] | None = []
        self.variables: list[tuple[str, tuple]] = []  # (handle, shape), in creation order
        self.mask = ""  # the attention mask every head adds
        self._attrs: dict = {}

    def _shapes(self, shapes):
        attr = self._attrs.get(shapes)
        if attr is None:
            attr = self._attrs[shapes] = self._pb[1].AttrValue()
            for dims in shapes:
                shape = attr.list.shape.add()
                for d in dims:
                    shape.dim.add(size=d)
        return attr

    def op(self, scope, op, inputs=(), shape=(), dtype=_F, name=None, outs=None, **attrs):
        """Add a node; its name (unique, suffixed like TF's) is its first output's tensor."""
        base = f"{scope}/{name or op}" if scope else name or op
        n = self.used.get(base, 0)
        self.used[base] = n + 1
        full = f"{base}_{n}" if n else base
        node = self.graph.node.add(name=full, op=op)
        node.input.extend(inputs)
        types = _TYPES.get(op)
        if types is None:
            key = (
                "dtype" if op in ("Const", "Placeholder", "VarHandleOp", "ReadVariableOp") else "T"
            )
            types = {key: dtype}
        for key, value in types.items():
            node.attr[key].type = value
        for k, v in attrs.items():
            if isinstance(v, bool):
                node.attr[k].b = v
            elif isinstance(v, bytes):
                node.attr[k].s = v
            else:
                node.attr[k].CopyFrom(v)
        outs = outs or (shape,)
        node.attr["_output_shapes"].CopyFrom(self._shapes(outs))
        for i, dims in enumerate(outs):
            self.shape[f"{full}:{i}" if i else full] = dims
        if self.forward is not None:
            grads = op == "ReadVariableOp" or (
                op not in _NO_GRAD and any(self.needs_grad.get(t, False) for t in inputs)
            )
            self.needs_grad[full] = grads
            if grads:
                self.forward.append((full, op, tuple(inputs), scope))
        if len(self.graph.node) >= 50_000:
            self.flush()
        return full

    def const(self, scope, name, values, dtype=_I32):
        """A Const holding ``values``: an int32 vector (a tuple) or a float scalar."""
        value = self._attrs.get((dtype, values))
        if value is None:
            value = self._attrs[(dtype, values)] = self._pb[1].AttrValue()
            value.tensor.dtype = dtype
            if isinstance(values, tuple):
                value.tensor.tensor_shape.dim.add(size=len(values))
                value.tensor.int_val.extend(values)
            else:
                value.tensor.float_val.append(values)
        shape = (len(values),) if isinstance(values, tuple) else ()
        return self.op(scope, "Const", (), shape, dtype, name=name, value=value)

    def var(self, scope, name, shape):
        """A resource variable and its read: (handle, value)."""
        handle = self.op(
            scope, "VarHandleOp", (), (), name=name, shared_name=f"{scope}/{name}".encode()
        )
        self.variables.append((handle, shape))
        return handle, self.op(scope, "ReadVariableOp", [handle], shape)

    def flush(self):
        self.chunks.append(self.graph.SerializeToString())
        self.graph = self._pb[0].GraphDef()


def _layer_norm(g: _Step, scope, x):
    s = g.shape[x]
    axes = g.const(scope, "moments/reduction_indices", (-1,))
    mean = g.op(scope, "Mean", [x, axes], s[:-1] + (1,), name="moments/mean", keep_dims=True)
    sq = g.op(scope, "SquaredDifference", [x, mean], s, name="moments/SquaredDifference")
    var = g.op(scope, "Mean", [sq, axes], s[:-1] + (1,), name="moments/variance", keep_dims=True)
    eps = g.const(scope, "batchnorm/add/y", 1e-5, _F)
    rs = g.op(
        scope,
        "Rsqrt",
        [g.op(scope, "AddV2", [var, eps], g.shape[var], name="batchnorm/add")],
        g.shape[var],
        name="batchnorm/Rsqrt",
    )
    _, gamma = g.var(scope, "gamma", s[-1:])
    scale = g.op(scope, "Mul", [rs, gamma], s, name="batchnorm/mul")
    _, beta = g.var(scope, "beta", s[-1:])
    shift = g.op(
        scope,
        "Sub",
        [beta, g.op(scope, "Mul", [mean, scale], s, name="batchnorm/mul_2")],
        s,
        name="batchnorm/sub",
    )
    return g.op(
        scope,
        "AddV2",
        [g.op(scope, "Mul", [x, scale], s, name="batchnorm/mul_1"), shift],
        s,
        name="batchnorm/add_1",
    )


def _dense(g: _Step, scope, x, width):
    """Keras Dense on [B, S, D]: flatten, MatMul, BiasAdd, back to [B, S, width]."""
    b, s, d = g.shape[x]
    flat = g.op(scope, "Reshape", [x, g.const(scope, "Reshape/shape", (-1, d))], (b * s, d))
    _, kernel = g.var(scope, "kernel", (d, width))
    mm = g.op(scope, "MatMul", [flat, kernel], (b * s, width))
    _, bias = g.var(scope, "bias", (width,))
    out = g.op(scope, "BiasAdd", [mm, bias], (b * s, width))
    return g.op(
        scope, "Reshape", [out, g.const(scope, "Reshape_1/shape", (b, s, width))], (b, s, width)
    )


def _dropout(g: _Step, scope, x, rate=0.1):
    s = g.shape[x]
    shape = g.op(scope, "Shape", [x], (len(s),))
    rnd = g.op(scope, "RandomUniform", [shape], s, name="random_uniform/RandomUniform")
    keep = g.op(scope, "GreaterEqual", [rnd, g.const(scope, "GreaterEqual/y", rate, _F)], s)
    mask = g.op(scope, "Cast", [keep], s)
    scaled = g.op(scope, "Mul", [x, g.const(scope, "Const", 1 / (1 - rate), _F)], s)
    return g.op(scope, "Mul", [scaled, mask], s)


def _block(g: _Step, scope, x, heads, experts):
    """One pre-norm transformer layer, Mesh-TensorFlow style: attention written head by head, a
    mixture of experts (every expert run, weighted by its router gate) for the feed-forward."""
    b, s, d = g.shape[x]
    dh = d // heads
    att = f"{scope}/attention"
    h = _layer_norm(g, f"{att}/layer_norm", x)
    proj = {}
    for part in ("query", "key", "value"):
        y = _dense(g, f"{att}/{part}", h, d)
        y = g.op(
            att, "Reshape", [y, g.const(att, "Reshape/shape", (b, s, heads, dh))], (b, s, heads, dh)
        )
        proj[part] = g.op(
            att, "Transpose", [y, g.const(att, "transpose/perm", (0, 2, 1, 3))], (b, heads, s, dh)
        )
    contexts = []
    for i in range(heads):
        hs = f"{att}/head_{i}"
        sl = {}
        for part, t in proj.items():
            begin = g.const(hs, f"{part}/stack", (0, i, 0, 0))
            end = g.const(hs, f"{part}/stack_1", (0, i + 1, 0, 0))
            step = g.const(hs, f"{part}/stack_2", (1, 1, 1, 1))
            sl[part] = g.op(
                hs,
                "StridedSlice",
                [t, begin, end, step],
                (b, 1, s, dh),
                name=f"{part}/strided_slice",
            )
        sc = g.op(hs, "BatchMatMulV2", [sl["query"], sl["key"]], (b, 1, s, s), adj_y=True)
        sc = g.op(hs, "Mul", [sc, g.const(hs, "Mul/y", dh**-0.5, _F)], (b, 1, s, s))
        sc = g.op(hs, "AddV2", [sc, g.mask], (b, 1, s, s))
        p = _dropout(g, f"{hs}/dropout", g.op(hs, "Softmax", [sc], (b, 1, s, s)))
        contexts.append(
            g.op(hs, "BatchMatMulV2", [p, sl["value"]], (b, 1, s, dh), name="BatchMatMulV2_1")
        )
    ctx = g.op(
        att,
        "ConcatV2",
        [*contexts, g.const(att, "concat/axis", (1,))],
        (b, heads, s, dh),
        name="concat",
    )
    ctx = g.op(
        att, "Transpose", [ctx, g.const(att, "transpose_3/perm", (0, 2, 1, 3))], (b, s, heads, dh)
    )
    ctx = g.op(att, "Reshape", [ctx, g.const(att, "Reshape_3/shape", (b, s, d))], (b, s, d))
    out = _dropout(g, f"{att}/dropout", _dense(g, f"{att}/output", ctx, d))
    x = g.op(scope, "AddV2", [x, out], (b, s, d), name="add")
    moe = f"{scope}/moe"
    h = _layer_norm(g, f"{moe}/layer_norm", x)
    gates = g.op(
        f"{moe}/router", "Softmax", [_dense(g, f"{moe}/router", h, experts)], (b, s, experts)
    )
    outs = []
    for e in range(experts):
        es = f"{moe}/expert_{e}"
        begin, end = g.const(es, "stack", (0, 0, e)), g.const(es, "stack_1", (0, 0, e + 1))
        gate = g.op(
            es, "StridedSlice", [gates, begin, end, g.const(es, "stack_2", (1, 1, 1))], (b, s, 1)
        )
        y = g.op(f"{es}/fc_in", "Relu", [_dense(g, f"{es}/fc_in", h, 4 * d)], (b, s, 4 * d))
        outs.append(g.op(es, "Mul", [_dense(g, f"{es}/fc_out", y, d), gate], (b, s, d)))
    out = _dropout(g, f"{moe}/dropout", g.op(moe, "AddN", outs, (b, s, d)))
    return g.op(scope, "AddV2", [x, out], (b, s, d), name="add_1")


def _reduce(g: _Step, gs, raw, inputs, out_shape):
    """TF's reduction of a broadcast gradient: BroadcastGradientArgs, Sum and Reshape per side
    whose shape differs from the output's."""
    shapes = [g.shape[t] for t in inputs]
    if all(r is None or s == out_shape for r, s in zip(raw, shapes, strict=True)):
        return raw
    sh = [g.op(gs, "Shape", [t], (len(g.shape[t]),)) for t in inputs]
    bga = g.op(gs, "BroadcastGradientArgs", sh, outs=((-1,), (-1,)), dtype=_I32)
    out = []
    for i, r in enumerate(raw):
        if r is None or shapes[i] == out_shape:
            out.append(r)
            continue
        s = g.op(gs, "Sum", [r, bga if i == 0 else f"{bga}:1"], (-1,) * len(out_shape))
        out.append(g.op(gs, "Reshape", [s, sh[i]], shapes[i]))
    return out


def _grads(g: _Step, name, op, inputs, dy):
    """The gradients of one forward op's differentiable inputs (None for the others), named
    under ``gradient_tape/<its scope>`` as TF's tape names them."""
    gs = "gradient_tape/" + name.rsplit("/", 1)[0]
    want = [g.needs_grad.get(t, False) for t in inputs]
    y, s = name, g.shape[name]
    if op in ("MatMul", "BatchMatMulV2"):
        a, b = inputs[:2]
        return [
            g.op(
                gs, op, [dy, b], g.shape[a], **{"transpose_b" if op == "MatMul" else "adj_y": True}
            )
            if want[0]
            else None,
            g.op(
                gs, op, [a, dy], g.shape[b], **{"transpose_a" if op == "MatMul" else "adj_x": True}
            )
            if want[1]
            else None,
        ]
    if op in ("AddV2", "Sub", "Mul", "SquaredDifference"):
        a, b = inputs
        if op == "AddV2":
            raw = [dy, dy]
        elif op == "Sub":
            raw = [dy, g.op(gs, "Neg", [dy], s) if want[1] else None]
        elif op == "Mul":
            raw = [
                g.op(gs, "Mul", [dy, b], s) if want[0] else None,
                g.op(gs, "Mul", [a, dy], s) if want[1] else None,
            ]
        else:
            two = g.op(gs, "Mul", [g.const(gs, "scalar", 2.0, _F), dy], s)
            gx = g.op(gs, "Mul", [two, g.op(gs, "Sub", [a, b], s)], s)
            raw = [gx, g.op(gs, "Neg", [gx], s) if want[1] else None]
        return _reduce(g, gs, [r if w else None for r, w in zip(raw, want, strict=True)], [a, b], s)
    if op == "BiasAdd":
        return [dy, g.op(gs, "BiasAddGrad", [dy], g.shape[inputs[1]])]
    if op == "Reshape":
        x = inputs[0]
        return [
            g.op(gs, "Reshape", [dy, g.op(gs, "Shape", [x], (len(g.shape[x]),))], g.shape[x]),
            None,
        ]
    if op == "Transpose":
        inv = g.op(gs, "InvertPermutation", [inputs[1]], (len(s),), _I32)
        return [g.op(gs, "Transpose", [dy, inv], g.shape[inputs[0]]), None]
    if op == "StridedSlice":
        x = inputs[0]
        shape = g.op(gs, "Shape", [x], (len(g.shape[x]),))
        return [g.op(gs, "StridedSliceGrad", [shape, *inputs[1:], dy], g.shape[x])] + [None] * 3
    if op == "ConcatV2":
        parts = inputs[:-1]
        n = len(parts)
        sn = g.op(gs, "ShapeN", parts, outs=((len(s),),) * n)
        offs = g.op(
            gs,
            "ConcatOffset",
            [inputs[-1], sn] + [f"{sn}:{i}" for i in range(1, n)],
            outs=((len(s),),) * n,
        )
        refs = [offs] + [f"{offs}:{i}" for i in range(1, n)]
        return [
            g.op(gs, "Slice", [dy, refs[i], sn if i == 0 else f"{sn}:{i}"], g.shape[t])
            for i, t in enumerate(parts)
        ] + [None]
    if op == "Softmax":
        m = g.op(gs, "Mul", [dy, y], s)
        axis = g.const(gs, "Sum/reduction_indices", (-1,))
        total = g.op(gs, "Sum", [m, axis], s[:-1] + (1,), keep_dims=True)
        return [g.op(gs, "Mul", [g.op(gs, "Sub", [dy, total], s), y], s)]
    if op == "AddN":
        return [dy] * len(inputs)
    if op == "Rsqrt":
        return [g.op(gs, "RsqrtGrad", [y, dy], s)]
    if op == "Relu":
        return [g.op(gs, "ReluGrad", [dy, y], s)]
    if op == "Mean":
        x = inputs[0]
        r = g.op(gs, "Reshape", [dy, g.const(gs, "Reshape/shape", tuple(s))], s)
        mult = (
            tuple(a // b for a, b in zip(g.shape[x], s, strict=True))
            if len(s) == len(g.shape[x])
            else g.shape[x]
        )
        t = g.op(gs, "Tile", [r, g.const(gs, "Tile/multiples", mult)], g.shape[x])
        count = 1
        for a in g.shape[x]:
            count *= a
        for a in s:
            count //= max(a, 1)
        return [
            g.op(
                gs,
                "RealDiv",
                [t, g.const(gs, "Cast", float(count), _F)],
                g.shape[x],
                name="truediv",
            ),
            None,
        ]
    if op == "GatherV2":
        params, ids = inputs[:2]
        n = 1
        for a in g.shape[ids]:
            n *= a
        vals = g.op(
            gs,
            "Reshape",
            [dy, g.const(gs, "Reshape/shape", (n, g.shape[params][-1]))],
            (n, g.shape[params][-1]),
        )
        idx = g.op(gs, "Reshape", [ids, g.const(gs, "Reshape_1/shape", (n,))], (n,), _I32)
        num = g.const(gs, "strided_slice", (g.shape[params][0],))
        return [g.op(gs, "UnsortedSegmentSum", [vals, idx, num], g.shape[params]), None, None]
    if op == "SparseSoftmaxCrossEntropyWithLogits":
        e = g.op(gs, "ExpandDims", [dy, g.const(gs, "ExpandDims/dim", (-1,))], s + (1,))
        return [g.op(gs, "Mul", [e, f"{name}:1"], g.shape[inputs[0]]), None]
    raise ValueError(f"no gradient for {op}")


def transformer_train(
    layers=96, heads=96, experts=80, width=12288, seq=2048, batch=8, vocab=50257
) -> bytes:
    """One training step of a deep pre-norm transformer with Adam, built directly as protos.

    GPT-3's shape by default (96 layers and heads, 12288 wide, 2048 tokens), attention written
    head by head and a feed-forward of 80 experts: 986,852 nodes. Forward ops under
    ``model/transformer/layer_N/``, their gradients under ``gradient_tape/`` in the reverse
    order, each fed by the gradients of the ops that read the forward op's output (summed by
    ``AddN`` where there are several) and by the forward tensors it needs, one
    ``Adam/update_N/ResourceApplyAdam`` per variable reading the variable, its two slots and its
    gradient.
    """
    g = _Step()
    ids = g.op("inputs", "Placeholder", (), (batch, seq), _I32, name="input_ids")
    labels = g.op("inputs", "Placeholder", (), (batch * seq,), _I32, name="labels")
    emb = "model/transformer/embedding"
    _, table = g.var(emb, "embeddings", (vocab, width))
    x = g.op(
        emb,
        "GatherV2",
        [table, ids, g.const(emb, "embedding_lookup/axis", (0,))],
        (batch, seq, width),
        name="embedding_lookup",
    )
    _, pos = g.var(emb, "position_embeddings", (seq, width))
    x = g.op(emb, "AddV2", [x, pos], (batch, seq, width), name="add")
    g.mask = g.op("inputs", "Placeholder", (), (1, 1, seq, seq), name="attention_mask")
    for i in range(layers):
        x = _block(g, f"model/transformer/layer_{i}", x, heads, experts)
    x = _layer_norm(g, "model/transformer/final_layer_norm", x)
    logits = _dense(g, "model/lm_head", x, vocab)
    flat = g.op(
        "model/lm_head",
        "Reshape",
        [logits, g.const("model/lm_head", "Reshape_2/shape", (-1, vocab))],
        (batch * seq, vocab),
        name="Reshape_2",
    )
    xent_scope = "sparse_categorical_crossentropy"
    xent = g.op(
        xent_scope,
        "SparseSoftmaxCrossEntropyWithLogits",
        [flat, labels],
        outs=((batch * seq,), (batch * seq, vocab)),
    )
    loss = g.op(xent_scope, "Mean", [xent, g.const(xent_scope, "Const", (0,))], ())

    forward, g.forward = g.forward, None
    pending: dict[str, list[str]] = {loss: [g.op("gradient_tape", "Const", (), (), name="ones")]}
    var_grads = {}
    for name, op, inputs, scope in reversed(forward):
        dys = pending.pop(name, None)
        if not dys:
            continue
        dy = dys[0] if len(dys) == 1 else g.op(f"gradient_tape/{scope}", "AddN", dys, g.shape[name])
        if op == "ReadVariableOp":
            var_grads[inputs[0]] = dy
            continue
        for t, grad in zip(inputs, _grads(g, name, op, inputs, dy), strict=True):
            if grad is not None:
                pending.setdefault(t, []).append(grad)
    del forward, pending

    lr = g.const("Adam", "learning_rate", 1e-4, _F)
    b1, b2, eps = (
        g.const("Adam", n, v, _F) for n, v in (("beta1", 0.9), ("beta2", 0.999), ("epsilon", 1e-8))
    )
    powers = [g.op("", "VarHandleOp", (), (), name=n) for n in ("beta1_power", "beta2_power")]
    updates = []
    for i, (handle, shape) in enumerate(g.variables):
        us = f"Adam/update_{i}"
        scope, var = handle.rsplit("/", 1)
        slots = [g.op(scope, "VarHandleOp", (), (), name=f"{var}/{n}") for n in ("Adam", "Adam_1")]
        reads = [g.op(f"{us}/ResourceApplyAdam", "ReadVariableOp", [p], ()) for p in powers]
        updates.append(
            g.op(
                us,
                "ResourceApplyAdam",
                [handle, *slots, *reads, lr, b1, b2, eps, var_grads[handle]],
                shape,
            )
        )
    done = [f"^{u}" for u in updates]
    for p, beta in zip(powers, (b1, b2), strict=True):
        read = g.op("Adam", "ReadVariableOp", [p, *done], ())
        new = g.op("Adam", "Mul", [read, beta], (), name="mul")
        g.op("Adam", "AssignVariableOp", [p, new], ())
    g.op("", "NoOp", ["^Adam/AssignVariableOp", "^Adam/AssignVariableOp_1"], (), name="Adam")
    g.flush()
    return b"".join(g.chunks)
