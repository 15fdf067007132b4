/* One pass over a serialized GraphDef that gives a Hierarchy what it is built from.
 *
 * Python would spend about a microsecond per node and step on this (ten times protobuf's own
 * parse on a 100k-op graph); here each node's name, op, device and inputs are read from the
 * wire format, inputs are resolved to the nodes they name, name scopes are interned with
 * their parents, and each label's trailing number is split off for series, all in C.
 *
 * scan(data) returns None whenever the bytes are anything but plain (a group, a field of
 * fields 1-4 with another wire type, a singular field repeated, two nodes of one name, a
 * number of more than 18 digits, bytes that are not UTF-8, attributes nesting deep): the
 * caller then takes the exact but slow path, so the names, ops, inputs and devices are
 * always what protobuf would say. A node's other fields are only framed here; protobuf reads
 * them when the node is shown. The records of the GraphDef's fields but its nodes are
 * returned for protobuf to read. Every read is bounds-checked.
 */
#define PY_SSIZE_T_CLEAN
#include <Python.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

typedef struct {
    int64_t off, len;
} Span;

typedef struct {
    Span *v;
    int64_t n, cap;
} Spans;

typedef struct {
    int64_t *v;
    int64_t n, cap;
} Ints;

static int spans_push(Spans *a, int64_t off, int64_t len) {
    if (a->n == a->cap) {
        int64_t cap = a->cap ? a->cap * 2 : 1024;
        Span *p = realloc(a->v, (size_t)cap * sizeof *p);
        if (!p) return -1;
        a->v = p;
        a->cap = cap;
    }
    a->v[a->n].off = off;
    a->v[a->n].len = len;
    a->n++;
    return 0;
}

static void spans_free(Spans *a) {
    free(a->v);
    a->v = NULL;
    a->n = a->cap = 0;
}

static int ints_push(Ints *a, int64_t x) {
    if (a->n == a->cap) {
        int64_t cap = a->cap ? a->cap * 2 : 1024;
        int64_t *p = realloc(a->v, (size_t)cap * sizeof *p);
        if (!p) return -1;
        a->v = p;
        a->cap = cap;
    }
    a->v[a->n++] = x;
    return 0;
}

/* Byte strings (spans of one buffer) interned to ids 0, 1, 2... in order of first sight. */
typedef struct {
    const uint8_t *base;
    int32_t *slots; /* -1: empty */
    uint64_t mask;
    Spans keys;
    uint64_t seed;
} Table;

static inline uint64_t mix(uint64_t a, uint64_t b) {
#ifdef __SIZEOF_INT128__
    __uint128_t r = (__uint128_t)a * b;
    return (uint64_t)r ^ (uint64_t)(r >> 64);
#else
    a *= b;
    return a ^ (a >> 29);
#endif
}

/* Eight bytes at a time, each step a 64x64->128 multiply folded (as wyhash does). */
static uint64_t hash_bytes(const uint8_t *p, int64_t n, uint64_t seed) {
    uint64_t h = seed ^ ((uint64_t)n * 0x9e3779b97f4a7c15ULL);
    while (n >= 8) {
        uint64_t chunk;
        memcpy(&chunk, p, 8);
        h = mix(h ^ chunk, 0xa0761d6478bd642fULL);
        p += 8;
        n -= 8;
    }
    uint64_t tail = 0;
    memcpy(&tail, p, (size_t)n);
    return mix(h ^ tail ^ 0xe7037ed1a0b428dbULL, 0x8ebc6af09c88c6e3ULL);
}

static int table_init(Table *t, const uint8_t *base, int64_t expected, uint64_t seed) {
    uint64_t size = 64;
    while (size < (uint64_t)expected * 2 + 2) size <<= 1;
    t->base = base;
    t->slots = malloc(size * sizeof *t->slots);
    if (!t->slots) return -1;
    memset(t->slots, 0xff, size * sizeof *t->slots);
    t->mask = size - 1;
    t->keys.v = NULL;
    t->keys.n = t->keys.cap = 0;
    t->seed = seed;
    return 0;
}

static void table_free(Table *t) {
    free(t->slots);
    free(t->keys.v);
    t->slots = NULL;
    t->keys.v = NULL;
}

static int64_t table_find(const Table *t, int64_t off, int64_t len, uint64_t *where) {
    uint64_t i = hash_bytes(t->base + off, len, t->seed) & t->mask;
    for (;;) {
        int32_t id = t->slots[i];
        if (id < 0) {
            *where = i;
            return -1;
        }
        const Span *k = &t->keys.v[id];
        if (k->len == len && memcmp(t->base + k->off, t->base + off, (size_t)len) == 0) return id;
        i = (i + 1) & t->mask;
    }
}

static int table_grow(Table *t) {
    uint64_t size = (t->mask + 1) * 2;
    int32_t *slots = malloc(size * sizeof *slots);
    if (!slots) return -1;
    memset(slots, 0xff, size * sizeof *slots);
    for (int64_t id = 0; id < t->keys.n; id++) {
        const Span *k = &t->keys.v[id];
        uint64_t i = hash_bytes(t->base + k->off, k->len, t->seed) & (size - 1);
        while (slots[i] >= 0) i = (i + 1) & (size - 1);
        slots[i] = (int32_t)id;
    }
    free(t->slots);
    t->slots = slots;
    t->mask = size - 1;
    return 0;
}

/* The id of a span, added if new (*added says which); -1 when out of memory. */
static int64_t table_intern(Table *t, int64_t off, int64_t len, int *added) {
    uint64_t where;
    int64_t id = table_find(t, off, len, &where);
    *added = 0;
    if (id >= 0) return id;
    if (t->keys.n >= INT32_MAX - 1) return -1;
    id = t->keys.n;
    if (spans_push(&t->keys, off, len) < 0) return -1;
    t->slots[where] = (int32_t)id;
    *added = 1;
    if ((uint64_t)t->keys.n * 2 > t->mask + 1 && table_grow(t) < 0) return -1;
    return id;
}

/* A varint at *p (< end): 0 when it runs past end or over ten bytes. */
static int read_varint(const uint8_t **p, const uint8_t *end, uint64_t *out) {
    uint64_t value = 0;
    for (int shift = 0; shift < 70; shift += 7) {
        if (*p >= end) return 0;
        uint8_t byte = *(*p)++;
        value |= (uint64_t)(byte & 0x7f) << shift;
        if (!(byte & 0x80)) {
            *out = value;
            return 1;
        }
    }
    return 0;
}

/* Past one field of wire type `wire` at *p; 0 if it is malformed or a group. */
static int skip_field(const uint8_t **p, const uint8_t *end, unsigned wire, uint64_t *len) {
    uint64_t v;
    switch (wire) {
        case 0:
            return read_varint(p, end, &v);
        case 1:
            if (end - *p < 8) return 0;
            *p += 8;
            return 1;
        case 2:
            if (!read_varint(p, end, &v) || v > (uint64_t)(end - *p)) return 0;
            *len = v;
            *p += v;
            return 1;
        case 5:
            if (end - *p < 4) return 0;
            *p += 4;
            return 1;
        default:
            return 0;
    }
}

/* Where the trailing number of a label starts and ends, as series are made of:
 * "layer_12" -> prefix "layer_", 12; "Conv2d[3]" -> "Conv2d[", 3, closed. Returns 1 when
 * numbered, 0 when not, -1 when the number has more than 18 digits (left to Python). */
static int split_number(const uint8_t *s, int64_t n, int64_t *prefix_len, int64_t *number,
                        int *closed) {
    int64_t core = n;
    *closed = 0;
    if (n > 0 && s[n - 1] == ']') {
        core = n - 1;
        *closed = 1;
    }
    int64_t d = core;
    while (d > 0 && s[d - 1] >= '0' && s[d - 1] <= '9') d--;
    if (d == core || d == 0) return 0;
    if (core - d > 18) return -1;
    int64_t value = 0;
    for (int64_t i = d; i < core; i++) value = value * 10 + (s[i] - '0');
    *prefix_len = d;
    *number = value;
    return 1;
}

static int64_t last_slash(const uint8_t *s, int64_t n) {
    for (int64_t i = n - 1; i >= 0; i--)
        if (s[i] == '/') return i;
    return -1;
}

typedef struct {
    /* per node */
    Ints starts, ends;
    /* the records (tag included) of the GraphDef's other fields: start, end, start, end... */
    Ints others;
    Spans name;
    Ints type_id, device_id, op_path, label_id, op_prefix, op_number;
    /* per input (a control input's slot is -1) */
    Spans input;
    Ints e_dst, e_src, e_slot;
    /* the inputs that name no node: their index, and their text */
    Ints unresolved_at;
    Spans unresolved;
    /* per scope path (id 0 is the root, "") */
    Ints path_parent, path_prefix, path_number;
    Table names, types, devices, paths, prefixes, labels;
    int tables;
} Scan;

static void scan_free(Scan *s) {
    Ints *ints[] = {&s->starts,    &s->ends,      &s->others,      &s->type_id,     &s->device_id,
                    &s->op_path,   &s->label_id,  &s->op_prefix, &s->op_number,   &s->e_dst,
                    &s->e_src,     &s->e_slot,    &s->unresolved_at, &s->path_parent,
                    &s->path_prefix, &s->path_number};
    for (size_t i = 0; i < sizeof ints / sizeof *ints; i++) free(ints[i]->v);
    free(s->name.v);
    free(s->input.v);
    free(s->unresolved.v);
    if (s->tables) {
        table_free(&s->names);
        table_free(&s->types);
        table_free(&s->devices);
        table_free(&s->paths);
        table_free(&s->prefixes);
        table_free(&s->labels);
    }
}

enum { OK = 0, ODD = 1, NOMEM = 2 };

/* A label's split for series: prefix id and number (-1, 0 when not numbered). */
static int split_label(Scan *s, const uint8_t *base, int64_t off, int64_t len, Ints *prefix,
                       Ints *number) {
    int64_t prefix_len = 0, value = 0;
    int closed, added;
    int got = split_number(base + off, len, &prefix_len, &value, &closed);
    if (got < 0) return ODD;
    if (got == 0) {
        if (ints_push(prefix, -1) < 0 || ints_push(number, 0) < 0) return NOMEM;
        return OK;
    }
    /* The prefix is interned with the closing bracket's presence folded in: "Conv2d[" of
     * "Conv2d[3]" and of "Conv2d[3" are different series. */
    int64_t id = table_intern(&s->prefixes, off, prefix_len, &added);
    if (id < 0) return NOMEM;
    if (ints_push(prefix, id * 2 + closed) < 0 || ints_push(number, value) < 0) return NOMEM;
    return OK;
}

/* Nesting this deep below a node's own fields (attrs: func -> attr -> func ...) is left to
 * protobuf, which refuses what nests past its limit of 100; real graphs nest under 15. */
#define NESTING_LEFT_TO_PROTOBUF 40

/* How deep the bytes [p, end) nest read as a message (1: no length-delimited field holds
 * one): 0 when they are no message (a blob, a name), -1 when deeper than `room` levels.
 * Each level is framed whole before any field of it is read as a message in turn, so a blob
 * that frames as no message costs a few bytes, and the whole reads each byte at most
 * `room` times. */
static int nesting(const uint8_t *p, const uint8_t *end, int room) {
    const uint8_t *q = p;
    while (q < end) {
        uint64_t tag, len = 0;
        if (!read_varint(&q, end, &tag) || (tag >> 3) == 0 || !skip_field(&q, end, tag & 7, &len))
            return 0;
    }
    if (room <= 0) return -1;
    int deepest = 0;
    while (p < end) {
        uint64_t tag = 0, len = 0;
        read_varint(&p, end, &tag);
        skip_field(&p, end, tag & 7, &len);
        if ((tag & 7) == 2 && len > 0) {
            int got = nesting(p - len, p, room - 1);
            if (got < 0) return -1;
            if (got > deepest) deepest = got;
        }
    }
    return deepest + 1;
}

static int read_node(Scan *s, const uint8_t *base, const uint8_t *p, const uint8_t *end,
                     int64_t node) {
    int seen[5] = {0, 0, 0, 0, 0};
    Span name = {0, 0}, op = {0, 0}, device = {0, 0};
    while (p < end) {
        uint64_t tag, len = 0;
        if (!read_varint(&p, end, &tag)) return ODD;
        unsigned wire = tag & 7;
        uint64_t number = tag >> 3;
        if (number == 0) return ODD;
        const uint8_t *at;
        if (number <= 4) {
            if (wire != 2) return ODD;
            if (!skip_field(&p, end, wire, &len)) return ODD;
            at = p - len;
            Span span = {at - base, (int64_t)len};
            if (number == 3) {
                if (spans_push(&s->input, span.off, span.len) < 0) return NOMEM;
                if (ints_push(&s->e_dst, node) < 0) return NOMEM;
                continue;
            }
            if (seen[number]++) return ODD; /* protobuf keeps the last: left to it */
            if (number == 1) name = span;
            else if (number == 2) op = span;
            else device = span;
        } else if (!skip_field(&p, end, wire, &len)) {
            return ODD;
        } else if (wire == 2 && nesting(p - len, p, NESTING_LEFT_TO_PROTOBUF) < 0) {
            return ODD;
        }
    }
    /* Op types and devices are few: interned here, no span kept per node. */
    int added;
    int64_t id = table_intern(&s->types, op.off, op.len, &added);
    if (id < 0 || ints_push(&s->type_id, id) < 0) return NOMEM;
    id = table_intern(&s->devices, device.off, device.len, &added);
    if (id < 0 || ints_push(&s->device_id, id) < 0) return NOMEM;
    if (spans_push(&s->name, name.off, name.len) < 0) return NOMEM;
    return OK;
}

static int read_graph(Scan *s, const uint8_t *base, int64_t size) {
    const uint8_t *p = base, *end = base + size;
    int64_t node = 0;
    while (p < end) {
        uint64_t tag, len = 0;
        const uint8_t *record = p;
        if (!read_varint(&p, end, &tag)) return ODD;
        unsigned wire = tag & 7;
        if ((tag >> 3) == 0) return ODD;
        if (!skip_field(&p, end, wire, &len)) return ODD;
        if ((tag >> 3) != 1) {
            /* Few and small (versions, a library): protobuf reads them, from these. */
            if (ints_push(&s->others, record - base) < 0 || ints_push(&s->others, p - base) < 0)
                return NOMEM;
            continue;
        }
        if (wire != 2) return ODD;
        const uint8_t *at = p - len;
        if (ints_push(&s->starts, at - base) < 0 || ints_push(&s->ends, p - base) < 0)
            return NOMEM;
        int got = read_node(s, base, at, p, node++);
        if (got != OK) return got;
    }
    return OK;
}

static int resolve_inputs(Scan *s, const uint8_t *base) {
    for (int64_t e = 0; e < s->input.n; e++) {
        Span in = s->input.v[e];
        const uint8_t *t = base + in.off;
        uint64_t where;
        int64_t src = table_find(&s->names, in.off, in.len, &where), slot = 0;
        if (src < 0 && in.len > 0 && t[0] == '^') {
            slot = -1;
            src = table_find(&s->names, in.off + 1, in.len - 1, &where);
        } else if (src < 0) {
            int64_t colon = in.len - 1;
            while (colon >= 0 && t[colon] >= '0' && t[colon] <= '9') colon--;
            int64_t digits = in.len - 1 - colon;
            if (colon >= 0 && t[colon] == ':' && digits > 0 && digits <= 18) {
                for (int64_t i = colon + 1; i < in.len; i++) slot = slot * 10 + (t[i] - '0');
                src = table_find(&s->names, in.off, colon, &where);
            }
        }
        if (src < 0) { /* named no node: left to Python */
            slot = 0;
            if (ints_push(&s->unresolved_at, e) < 0 ||
                spans_push(&s->unresolved, in.off, in.len) < 0)
                return NOMEM;
        }
        if (ints_push(&s->e_src, src) < 0 || ints_push(&s->e_slot, slot) < 0) return NOMEM;
    }
    return OK;
}

/* The id of scope `path` (a prefix of a name), interning it and the scopes above it. */
static int64_t intern_path(Scan *s, const uint8_t *base, int64_t off, int64_t len, int *status) {
    int added;
    uint64_t where;
    int64_t id = table_find(&s->paths, off, len, &where);
    if (id >= 0) return id;
    /* Walk up to the first known scope, then add the missing ones outermost first. */
    Ints todo = {NULL, 0, 0};
    int64_t cur = len, parent;
    while (cur > 0 && table_find(&s->paths, off, cur, &where) < 0) {
        if (ints_push(&todo, cur) < 0) goto nomem;
        cur = last_slash(base + off, cur);
        if (cur < 0) cur = 0;
    }
    parent = table_find(&s->paths, off, cur, &where);
    for (int64_t i = todo.n - 1; i >= 0; i--) {
        int64_t sub = todo.v[i];
        id = table_intern(&s->paths, off, sub, &added);
        if (id < 0 || ints_push(&s->path_parent, parent) < 0) goto nomem;
        int64_t slash = last_slash(base + off, sub);
        int64_t label = slash + 1;
        int got = split_label(s, base, off + label, sub - label, &s->path_prefix, &s->path_number);
        if (got != OK) {
            free(todo.v);
            *status = got;
            return -1;
        }
        parent = id;
    }
    free(todo.v);
    return parent;
nomem:
    free(todo.v);
    *status = NOMEM;
    return -1;
}

/* What is read is let go as soon as it is used (the inputs' spans and the names' table once
 * the inputs are resolved): the scan runs with the whole GraphDef's bytes held beside it, and
 * what it holds at its peak is the peak of reading a graph. */
static int build(Scan *s, const uint8_t *base, int64_t size, uint64_t seed) {
    s->tables = 1; /* each table freed by scan_free from here on, made or not */
    if (table_init(&s->types, base, 64, seed) < 0 || table_init(&s->devices, base, 8, seed) < 0)
        return NOMEM;
    int got = read_graph(s, base, size);
    if (got != OK) return got;
    int64_t n = s->name.n;
    if (table_init(&s->names, base, n, seed) < 0) return NOMEM;
    for (int64_t i = 0; i < n; i++) {
        int added;
        if (table_intern(&s->names, s->name.v[i].off, s->name.v[i].len, &added) < 0)
            return NOMEM;
        if (!added) return ODD; /* two nodes of one name: renamed by Python */
    }
    got = resolve_inputs(s, base);
    if (got != OK) return got;
    spans_free(&s->input);
    table_free(&s->names);
    if (table_init(&s->paths, base, n / 4 + 8, seed) < 0 ||
        table_init(&s->prefixes, base, 256, seed) < 0 ||
        table_init(&s->labels, base, n / 8 + 8, seed) < 0)
        return NOMEM;
    /* The root scope, "", is path 0. */
    int added;
    if (table_intern(&s->paths, 0, 0, &added) < 0 || ints_push(&s->path_parent, -1) < 0 ||
        ints_push(&s->path_prefix, -1) < 0 || ints_push(&s->path_number, 0) < 0)
        return NOMEM;
    int64_t last_off = 0, last_len = 0, last_id = 0; /* the previous op's scope */
    for (int64_t i = 0; i < n; i++) {
        Span name = s->name.v[i];
        int64_t id;
        int64_t slash = last_slash(base + name.off, name.len);
        int status = OK;
        if (slash < 0) {
            id = 0;
        } else if (slash == last_len && memcmp(base + name.off, base + last_off, slash) == 0) {
            id = last_id; /* ops of one scope mostly come one after another */
        } else {
            id = intern_path(s, base, name.off, slash, &status);
            if (id < 0) return status;
        }
        if (slash >= 0) {
            last_off = name.off;
            last_len = slash;
            last_id = id;
        }
        if (ints_push(&s->op_path, id) < 0) return NOMEM;
        /* A name is its scope's path, "/" and its label; in the root scope the whole name
         * ("/x" included, whose path is the root too). */
        int64_t label = id ? slash + 1 : 0;
        id = table_intern(&s->labels, name.off + label, name.len - label, &added);
        if (id < 0 || ints_push(&s->label_id, id) < 0) return NOMEM;
        got = split_label(s, base, name.off + slash + 1, name.len - slash - 1, &s->op_prefix,
                          &s->op_number);
        if (got != OK) return got;
    }
    return OK;
}

/* --- Python objects ----------------------------------------------------------------- */

/* The ints as a bytearray, and the C copy freed at once: the answer's arrays are made one
 * after another, so the scan's memory and the answer's do not add up at their peak. */
static PyObject *int_array(Ints *a) {
    PyObject *out = PyByteArray_FromStringAndSize(
        a->n ? (const char *)a->v : "", (Py_ssize_t)(a->n * (int64_t)sizeof(int64_t)));
    free(a->v);
    a->v = NULL;
    a->n = a->cap = 0;
    return out;
}

/* The strings of a table's keys, in id order; NULL on error (not UTF-8 among them). */
static PyObject *key_strings(const Table *t) {
    PyObject *list = PyList_New((Py_ssize_t)t->keys.n);
    if (!list) return NULL;
    for (int64_t i = 0; i < t->keys.n; i++) {
        const Span *k = &t->keys.v[i];
        PyObject *text = PyUnicode_DecodeUTF8((const char *)t->base + k->off, k->len, NULL);
        if (!text) {
            Py_DECREF(list);
            return NULL;
        }
        PyList_SET_ITEM(list, (Py_ssize_t)i, text);
    }
    return list;
}

static PyObject *results(Scan *s, const uint8_t *base) {
    PyObject *out = NULL, *labels = NULL, *types = NULL, *devices = NULL, *paths = NULL;
    PyObject *prefixes = NULL, *unresolved = NULL;
    /* Each checked at once: no call may run with an exception pending. */
    /* No string per node: a name is a path and a label, both checked as UTF-8 here. */
    if (!(labels = key_strings(&s->labels)) || !(types = key_strings(&s->types)) ||
        !(devices = key_strings(&s->devices)) || !(paths = key_strings(&s->paths)) ||
        !(prefixes = key_strings(&s->prefixes)))
        goto done;
    unresolved = PyList_New(0);
    if (!unresolved) goto done;
    for (int64_t i = 0; i < s->unresolved.n; i++) {
        Span in = s->unresolved.v[i];
        PyObject *item = Py_BuildValue("(Ls#)", (long long)s->unresolved_at.v[i],
                                       (const char *)base + in.off, (Py_ssize_t)in.len);
        if (!item || PyList_Append(unresolved, item) < 0) {
            Py_XDECREF(item);
            goto done;
        }
        Py_DECREF(item);
    }
    /* What the answer does not hold, let go before it is made. */
    spans_free(&s->name);
    spans_free(&s->unresolved);
    out = Py_BuildValue(
        "{s:N,s:N,s:N,s:N,s:N,s:N,s:N,s:N,s:N,s:N,s:N,s:N,s:N,s:N,s:N,s:N,s:N,s:N,s:N,s:N,s:N}",
        "starts", int_array(&s->starts), "ends", int_array(&s->ends), "others",
        int_array(&s->others), "labels", labels, "label_ids", int_array(&s->label_id), "devices",
        devices, "device_ids", int_array(&s->device_id), "types", types, "type_ids",
        int_array(&s->type_id), "e_src", int_array(&s->e_src), "e_dst", int_array(&s->e_dst),
        "e_slot", int_array(&s->e_slot), "unresolved",
        unresolved, "op_path", int_array(&s->op_path), "op_prefix", int_array(&s->op_prefix),
        "op_number", int_array(&s->op_number), "paths", paths, "path_parent",
        int_array(&s->path_parent), "path_prefix", int_array(&s->path_prefix), "path_number",
        int_array(&s->path_number), "prefixes", prefixes);
    labels = types = devices = unresolved = paths = prefixes = NULL; /* stolen by N */
done:
    Py_XDECREF(labels);
    Py_XDECREF(types);
    Py_XDECREF(devices);
    Py_XDECREF(paths);
    Py_XDECREF(prefixes);
    Py_XDECREF(unresolved);
    if (!out && PyErr_ExceptionMatches(PyExc_UnicodeDecodeError)) {
        PyErr_Clear(); /* not UTF-8: protobuf decides what that is */
        Py_RETURN_NONE;
    }
    return out;
}

static PyObject *scan(PyObject *self, PyObject *arg) {
    Py_buffer view;
    if (PyObject_GetBuffer(arg, &view, PyBUF_SIMPLE) < 0) return NULL;
    Scan s;
    memset(&s, 0, sizeof s);
    uint64_t seed = (uint64_t)(uintptr_t)view.buf ^ (uint64_t)view.len * 0x9e3779b97f4a7c15ULL;
    int got;
    Py_BEGIN_ALLOW_THREADS;
    got = build(&s, view.buf, view.len, seed);
    Py_END_ALLOW_THREADS;
    PyObject *out = NULL;
    if (got == NOMEM) PyErr_NoMemory();
    else if (got == ODD) out = Py_NewRef(Py_None);
    else out = results(&s, view.buf);
    scan_free(&s);
    PyBuffer_Release(&view);
    return out;
}

static PyMethodDef methods[] = {
    {"scan", scan, METH_O,
     "scan(data) -> dict | None: a serialized GraphDef's nodes, edges and scopes, or None "
     "when it is anything but plain."},
    {NULL, NULL, 0, NULL},
};

static struct PyModuleDef module = {PyModuleDef_HEAD_INIT, "_fastscan", NULL, -1, methods};

PyMODINIT_FUNC PyInit__fastscan(void) { return PyModule_Create(&module); }
