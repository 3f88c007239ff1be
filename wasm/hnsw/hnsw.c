// HNSW (Malkov & Yashunin) with WASM SIMD distance kernels. Freestanding: no libc, no imports
// except the module's own linear memory, which grows on demand. One index per instance.
//
// Layout: nodes live in chunks of 1024 so growth never moves existing data (no realloc copies of
// hundreds of MB). Vectors are padded to a multiple of 4 floats with zeros so the kernels have no
// scalar tail. Cosine vectors are normalised on insert and scored with the dot product.
#include <wasm_simd128.h>

typedef unsigned int u32;
typedef int i32;
typedef unsigned char u8;

#define EXPORT(name) __attribute__((export_name(name)))
#define CHUNK_BITS 10
#define CHUNK (1u << CHUNK_BITS)
#define MAX_CHUNKS 16384
#define MAX_LEVEL 24
#define DELETED 0x100u

enum { METRIC_COSINE = 0, METRIC_EUCLIDEAN = 1, METRIC_DOT = 2 };

extern unsigned char __heap_base;
static unsigned long heap_top = (unsigned long)&__heap_base;

/* ---- allocation: a bump allocator over memory.grow; nothing is freed (an index is rebuilt into
 * a fresh instance when it compacts) ---- */
static void *allocate(u32 size) {
  unsigned long start = (heap_top + 15) & ~15ul;
  unsigned long end = start + size;
  unsigned long have = __builtin_wasm_memory_size(0) * 65536ul;
  if (end > have) {
    /* Grow geometrically (by a quarter, at least 16 MiB): every memory.grow is slow in engines
     * (~5 ms each in V8 when measured), and pages are only committed when first written. */
    unsigned long pages = (end - have + 65535) / 65536;
    unsigned long extra = have / 65536 / 4;
    if (extra < 256) extra = 256;
    if (pages < extra && __builtin_wasm_memory_grow(0, extra) != (unsigned long)-1) pages = 0;
    if (pages && __builtin_wasm_memory_grow(0, pages) == (unsigned long)-1) return 0;
  }
  heap_top = end;
  return (void *)start;
}

/* ---- index state ---- */
static u32 dim, dim4, metric, M, M0, ef_construction, count;
static i32 entry = -1, max_level = -1;
static u32 rng = 0x9e3779b9u;
static float *vec_chunk[MAX_CHUNKS];
static u32 *link0_chunk[MAX_CHUNKS]; /* per node: [n, ids... (M0)] */
static u32 *meta_chunk[MAX_CHUNKS];  /* per node: level | DELETED */
static u32 **upper_chunk[MAX_CHUNKS]; /* per node: level * (M + 1) u32, or 0 */
static u32 dirty_graph;

static inline float *vec(u32 id) { return vec_chunk[id >> CHUNK_BITS] + (id & (CHUNK - 1)) * dim4; }
static inline u32 *meta(u32 id) { return meta_chunk[id >> CHUNK_BITS] + (id & (CHUNK - 1)); }
static inline u32 *links(u32 id, u32 level) {
  if (level == 0) return link0_chunk[id >> CHUNK_BITS] + (id & (CHUNK - 1)) * (M0 + 1);
  return upper_chunk[id >> CHUNK_BITS][id & (CHUNK - 1)] + (level - 1) * (M + 1);
}
static inline u32 level_of(u32 id) { return *meta(id) & 0xffu; }
static inline int is_deleted(u32 id) { return (*meta(id) & DELETED) != 0; }

/* ---- SIMD kernels ---- */
static inline float hsum(v128_t v) {
  return wasm_f32x4_extract_lane(v, 0) + wasm_f32x4_extract_lane(v, 1) + wasm_f32x4_extract_lane(v, 2) +
         wasm_f32x4_extract_lane(v, 3);
}

static float dot_kernel(const float *a, const float *b, u32 n) {
  v128_t s0 = wasm_f32x4_splat(0), s1 = s0, s2 = s0, s3 = s0;
  u32 i = 0;
  for (; i + 16 <= n; i += 16) {
    s0 = wasm_f32x4_add(s0, wasm_f32x4_mul(wasm_v128_load(a + i), wasm_v128_load(b + i)));
    s1 = wasm_f32x4_add(s1, wasm_f32x4_mul(wasm_v128_load(a + i + 4), wasm_v128_load(b + i + 4)));
    s2 = wasm_f32x4_add(s2, wasm_f32x4_mul(wasm_v128_load(a + i + 8), wasm_v128_load(b + i + 8)));
    s3 = wasm_f32x4_add(s3, wasm_f32x4_mul(wasm_v128_load(a + i + 12), wasm_v128_load(b + i + 12)));
  }
  for (; i < n; i += 4) s0 = wasm_f32x4_add(s0, wasm_f32x4_mul(wasm_v128_load(a + i), wasm_v128_load(b + i)));
  return hsum(wasm_f32x4_add(wasm_f32x4_add(s0, s1), wasm_f32x4_add(s2, s3)));
}

static float l2_kernel(const float *a, const float *b, u32 n) {
  v128_t s0 = wasm_f32x4_splat(0), s1 = s0, s2 = s0, s3 = s0;
  u32 i = 0;
  for (; i + 16 <= n; i += 16) {
    v128_t d0 = wasm_f32x4_sub(wasm_v128_load(a + i), wasm_v128_load(b + i));
    v128_t d1 = wasm_f32x4_sub(wasm_v128_load(a + i + 4), wasm_v128_load(b + i + 4));
    v128_t d2 = wasm_f32x4_sub(wasm_v128_load(a + i + 8), wasm_v128_load(b + i + 8));
    v128_t d3 = wasm_f32x4_sub(wasm_v128_load(a + i + 12), wasm_v128_load(b + i + 12));
    s0 = wasm_f32x4_add(s0, wasm_f32x4_mul(d0, d0));
    s1 = wasm_f32x4_add(s1, wasm_f32x4_mul(d1, d1));
    s2 = wasm_f32x4_add(s2, wasm_f32x4_mul(d2, d2));
    s3 = wasm_f32x4_add(s3, wasm_f32x4_mul(d3, d3));
  }
  for (; i < n; i += 4) {
    v128_t d = wasm_f32x4_sub(wasm_v128_load(a + i), wasm_v128_load(b + i));
    s0 = wasm_f32x4_add(s0, wasm_f32x4_mul(d, d));
  }
  return hsum(wasm_f32x4_add(wasm_f32x4_add(s0, s1), wasm_f32x4_add(s2, s3)));
}

/* Lower is closer for every metric. */
static inline float distance(const float *a, const float *b) {
  if (metric == METRIC_EUCLIDEAN) return l2_kernel(a, b, dim4);
  return 1.0f - dot_kernel(a, b, dim4);
}

/* ---- int8 copies for building: inserting compares the new node with thousands of stored ones
 * while searching for its neighbours, so that search runs on 8-bit copies (a quarter of the
 * memory traffic, i8x16 dot products). The candidates it finds are rescored on the float
 * vectors, and neighbour selection and pruning use floats, so the links are chosen exactly as
 * before (measured: same recall as a float build at the same efConstruction, 100k x 384).
 * Each node keeps q[i] = round(v[i] * 127 / max|v|), its scale max|v| / 127 and |v|². Queries
 * and exact scans always use the float vectors. Copies are made lazily, before the first insert
 * that needs them, so loading a stored index does not pay for them. ---- */
typedef signed char i8;
static u32 dim16, build_int8 = 1, quantized_upto;
static i8 *q_chunk[MAX_CHUNKS];
static float *qinfo_chunk[MAX_CHUNKS]; /* per node: scale, squared norm */
static i32 build_id = -1;             /* the node being inserted, or -1 outside insert */

static inline const i8 *qvec(u32 id) { return q_chunk[id >> CHUNK_BITS] + (id & (CHUNK - 1)) * dim16; }
static inline const float *qinfo(u32 id) { return qinfo_chunk[id >> CHUNK_BITS] + (id & (CHUNK - 1)) * 2; }

static i32 dot_i8(const i8 *a, const i8 *b, u32 n) {
  v128_t s0 = wasm_i32x4_splat(0), s1 = s0;
  for (u32 i = 0; i < n; i += 16) {
    v128_t va = wasm_v128_load(a + i), vb = wasm_v128_load(b + i);
    s0 = wasm_i32x4_add(s0, wasm_i32x4_dot_i16x8(wasm_i16x8_extend_low_i8x16(va), wasm_i16x8_extend_low_i8x16(vb)));
    s1 = wasm_i32x4_add(s1, wasm_i32x4_dot_i16x8(wasm_i16x8_extend_high_i8x16(va), wasm_i16x8_extend_high_i8x16(vb)));
  }
  v128_t s = wasm_i32x4_add(s0, s1);
  return wasm_i32x4_extract_lane(s, 0) + wasm_i32x4_extract_lane(s, 1) + wasm_i32x4_extract_lane(s, 2) +
         wasm_i32x4_extract_lane(s, 3);
}

static void *allocate(u32 size);
/* Makes int8 copies of nodes [quantized_upto, count). Returns 0 when memory is exhausted. */
static int quantize_pending(void) {
  for (; quantized_upto < count; quantized_upto++) {
    u32 id = quantized_upto, c = id >> CHUNK_BITS;
    if (!q_chunk[c]) {
      q_chunk[c] = allocate(CHUNK * dim16);
      qinfo_chunk[c] = allocate(CHUNK * 8);
      if (!q_chunk[c] || !qinfo_chunk[c]) return 0;
    }
    const float *v = vec(id);
    float top = 0, norm = 0;
    for (u32 i = 0; i < dim; i++) {
      float a = v[i] < 0 ? -v[i] : v[i];
      if (a > top) top = a;
      norm += v[i] * v[i];
    }
    float inv = top > 0 ? 127.0f / top : 0;
    i8 *q = q_chunk[c] + (id & (CHUNK - 1)) * dim16;
    for (u32 i = 0; i < dim16; i++) {
      float x = i < dim ? v[i] * inv : 0;
      q[i] = (i8)(x < 0 ? x - 0.5f : x + 0.5f);
    }
    float *info = qinfo_chunk[c] + (id & (CHUNK - 1)) * 2;
    info[0] = top / 127.0f;
    info[1] = norm;
  }
  return 1;
}

/* Distance between two stored nodes on their int8 copies (floats when int8 building is off). */
static inline float pair_distance(u32 a, u32 b) {
  if (!build_int8) return distance(vec(a), vec(b));
  const float *ia = qinfo(a), *ib = qinfo(b);
  float dot = ia[0] * ib[0] * (float)dot_i8(qvec(a), qvec(b), dim16);
  if (metric == METRIC_EUCLIDEAN) return ia[1] + ib[1] - 2.0f * dot;
  return 1.0f - dot;
}

static inline float exact_pair(u32 a, u32 b) { return distance(vec(a), vec(b)); }

/* Distance from the searched vector to node `id`: the node being inserted, or a query. */
static inline float to_node(const float *q, u32 id) {
  return build_id >= 0 ? pair_distance((u32)build_id, id) : distance(q, vec(id));
}

/* ---- heaps of (distance, id) ---- */
typedef struct {
  float d;
  u32 id;
} Pair;
typedef struct {
  Pair *items;
  u32 size, cap;
  int max; /* 1: max-heap (results), 0: min-heap (candidates) */
} Heap;

static inline int above(const Heap *h, Pair a, Pair b) { return h->max ? a.d > b.d : a.d < b.d; }

static int heap_push(Heap *h, float d, u32 id) {
  if (h->size == h->cap) {
    u32 cap = h->cap ? h->cap * 2 : 256;
    Pair *items = allocate(cap * sizeof(Pair));
    if (!items) return 0;
    if (h->size) __builtin_memcpy(items, h->items, h->size * sizeof(Pair));
    h->items = items;
    h->cap = cap;
  }
  Pair p = {d, id};
  u32 i = h->size++;
  while (i > 0) {
    u32 parent = (i - 1) >> 1;
    if (!above(h, p, h->items[parent])) break;
    h->items[i] = h->items[parent];
    i = parent;
  }
  h->items[i] = p;
  return 1;
}

static Pair heap_pop(Heap *h) {
  Pair top = h->items[0];
  Pair last = h->items[--h->size];
  u32 i = 0, n = h->size;
  for (;;) {
    u32 c = 2 * i + 1;
    if (c >= n) break;
    if (c + 1 < n && above(h, h->items[c + 1], h->items[c])) c++;
    if (!above(h, h->items[c], last)) break;
    h->items[i] = h->items[c];
    i = c;
  }
  if (n) h->items[i] = last;
  return top;
}

static Heap candidates = {0, 0, 0, 0}, results = {0, 0, 0, 1}, scratch_heap = {0, 0, 0, 1};

/* ---- visited set: a tag per node, reset by bumping the tag ---- */
static u32 *visited;
static u32 visited_cap, visit_tag;
static u32 last_visited;

static int visit_begin(void) {
  if (visited_cap < count) {
    u32 cap = visited_cap ? visited_cap : 1024;
    while (cap < count) cap *= 2;
    u32 *tags = allocate(cap * 4);
    if (!tags) return 0;
    __builtin_memset(tags, 0, cap * 4);
    visited = tags;
    visited_cap = cap;
    visit_tag = 0;
  }
  if (++visit_tag == 0) {
    __builtin_memset(visited, 0, visited_cap * 4);
    visit_tag = 1;
  }
  last_visited = 0;
  return 1;
}

static inline int visit(u32 id) {
  if (visited[id] == visit_tag) return 0;
  visited[id] = visit_tag;
  last_visited++;
  return 1;
}

/* ---- search primitives ---- */
static u32 greedy(const float *q, u32 current, float *current_d, i32 top, i32 bottom) {
  for (i32 level = top; level > bottom; level--) {
    int changed = 1;
    while (changed) {
      changed = 0;
      u32 *l = links(current, (u32)level);
      for (u32 j = 1; j <= l[0]; j++) {
        float d = to_node(q, l[j]);
        last_visited++;
        if (d < *current_d) {
          *current_d = d;
          current = l[j];
          changed = 1;
        }
      }
    }
  }
  return current;
}

/* Best-first search of one layer into `results` (max-heap of at most ef). `allowed` (one byte per
 * node, or 0) and tombstones only decide what enters the results; every node is still traversed,
 * and while the results hold fewer than ef entries the search keeps expanding, so selective
 * filters still find their matches. */
static int search_layer(const float *q, u32 start, float start_d, u32 ef, u32 level, const u8 *allowed,
                        int skip_deleted) {
  candidates.size = 0;
  results.size = 0;
  visit(start);
  int keep = !(skip_deleted && is_deleted(start)) && !(allowed && !allowed[start]);
  float bound = keep ? start_d : 3.4e38f;
  if (keep && !heap_push(&results, start_d, start)) return 0;
  if (!heap_push(&candidates, start_d, start)) return 0;
  while (candidates.size) {
    Pair c = heap_pop(&candidates);
    if (c.d > bound && results.size >= ef) break;
    u32 *l = links(c.id, level);
    u32 n = l[0];
    for (u32 j = 1; j <= n; j++) {
      u32 id = l[j];
      if (!visit(id)) continue;
      float d = to_node(q, id);
      if (results.size < ef || d < bound) {
        if (!heap_push(&candidates, d, id)) return 0;
        if ((skip_deleted && is_deleted(id)) || (allowed && !allowed[id])) continue;
        if (!heap_push(&results, d, id)) return 0;
        if (results.size > ef) heap_pop(&results);
        bound = results.items[0].d;
      }
    }
  }
  return 1;
}

/* hnswlib's getNeighborsByHeuristic2: keep a candidate only if it is closer to the base than to
 * every neighbour kept so far. Leaves the kept ids in `out`, returns how many. */
static Pair keep_buffer[1024];
static u32 select_neighbors(Heap *h, u32 limit, u32 *out) {
  /* pop the max-heap into ascending order */
  u32 n = h->size;
  if (n > 1024) n = 1024;
  while (h->size > n) heap_pop(h);
  for (i32 i = (i32)n - 1; i >= 0; i--) keep_buffer[i] = heap_pop(h);
  u32 kept = 0;
  for (u32 i = 0; i < n && kept < limit; i++) {
    Pair c = keep_buffer[i];
    int good = 1;
    for (u32 k = 0; k < kept; k++) {
      if (exact_pair(c.id, out[k]) < c.d) {
        good = 0;
        break;
      }
    }
    if (good) out[kept++] = c.id;
  }
  return kept;
}

static int connect(u32 id, u32 level, u32 *selected, u32 n) {
  u32 limit = level == 0 ? M0 : M;
  u32 *own = links(id, level);
  own[0] = n;
  for (u32 i = 0; i < n; i++) own[i + 1] = selected[i];
  for (u32 i = 0; i < n; i++) {
    u32 other = selected[i];
    u32 *l = links(other, level);
    if (l[0] < limit) {
      l[++l[0]] = id;
      continue;
    }
    scratch_heap.size = 0;
    if (!heap_push(&scratch_heap, exact_pair(other, id), id)) return 0;
    for (u32 j = 1; j <= l[0]; j++)
      if (!heap_push(&scratch_heap, exact_pair(other, l[j]), l[j])) return 0;
    static u32 pruned[1024];
    u32 k = select_neighbors(&scratch_heap, limit, pruned);
    l[0] = k;
    for (u32 j = 0; j < k; j++) l[j + 1] = pruned[j];
  }
  return 1;
}

/* ---- exports ---- */

/** Sets up an empty index. Returns 1, or 0 for bad parameters. */
EXPORT("init") int init(u32 dimension, u32 metric_kind, u32 m, u32 ef_c, u32 seed) {
  if (dimension == 0 || metric_kind > 2 || m < 2 || m > 256) return 0;
  dim = dimension;
  dim4 = (dimension + 3) & ~3u;
  dim16 = (dimension + 15) & ~15u;
  quantized_upto = 0;
  /* Inner product is not a metric and its graph is already the weakest: measured recall fell
   * below the float build's with int8 links, so it keeps building on floats. */
  build_int8 = metric_kind != METRIC_DOT;
  metric = metric_kind;
  M = m;
  M0 = 2 * m;
  ef_construction = ef_c < m ? m : ef_c;
  rng = seed ? seed : 0x9e3779b9u;
  count = 0;
  entry = -1;
  max_level = -1;
  return 1;
}

static u32 scratch_size;
static void *scratch_ptr;
/** A reusable buffer of at least `bytes` for the host to write inputs into. */
EXPORT("scratch") void *scratch(u32 bytes) {
  if (bytes > scratch_size) {
    scratch_ptr = allocate(bytes);
    scratch_size = scratch_ptr ? bytes : 0;
  }
  return scratch_ptr;
}

static void normalize(float *v) {
  float n = dot_kernel(v, v, dim4);
  if (n <= 0) return;
  float inv = 1.0f / __builtin_sqrtf(n);
  v128_t s = wasm_f32x4_splat(inv);
  for (u32 i = 0; i < dim4; i += 4) wasm_v128_store(v + i, wasm_f32x4_mul(wasm_v128_load(v + i), s));
}

/** Grows memory once so that `n` more nodes fit (vectors, level-0 links, metadata) plus `extra`
 * bytes, instead of in steps while they arrive. Returns 1, or 0 when memory is exhausted. */
EXPORT("reserve") int reserve(u32 n, u32 extra) {
  unsigned long chunks = ((unsigned long)count + n + CHUNK - 1) / CHUNK - ((unsigned long)count + CHUNK - 1) / CHUNK;
  unsigned long per_chunk = (unsigned long)CHUNK * (dim4 * 4 + (M0 + 1) * 4 + 4 + sizeof(u32 *)) + 64;
  unsigned long end = heap_top + chunks * per_chunk + extra + 65536;
  unsigned long have = __builtin_wasm_memory_size(0) * 65536ul;
  if (end <= have) return 1;
  return __builtin_wasm_memory_grow(0, (end - have + 65535) / 65536) != (unsigned long)-1;
}

/** Appends `n` vectors (`dim` floats each, unpadded, at `src`) without linking them. Cosine
 * vectors are normalised unless `raw` (already normalised, e.g. loaded from storage). Returns the
 * first new id, or -1 when memory is exhausted. */
EXPORT("append") i32 append(const float *src, u32 n, u32 raw) {
  u32 first = count;
  u32 i = 0;
  while (i < n) {
    u32 id = count;
    u32 c = id >> CHUNK_BITS;
    if (c >= MAX_CHUNKS) return -1;
    if (!vec_chunk[c]) {
      float *v = allocate(CHUNK * dim4 * 4);
      u32 *l0 = allocate(CHUNK * (M0 + 1) * 4);
      u32 *m = allocate(CHUNK * 4);
      u32 **up = allocate(CHUNK * sizeof(u32 *));
      if (!v || !l0 || !m || !up) return -1;
      __builtin_memset(up, 0, CHUNK * sizeof(u32 *));
      vec_chunk[c] = v;
      link0_chunk[c] = l0;
      meta_chunk[c] = m;
      upper_chunk[c] = up;
    }
    /* the run of new nodes that fits in this chunk */
    u32 run = CHUNK - (id & (CHUNK - 1));
    if (run > n - i) run = n - i;
    float *dst = vec(id);
    if (dim == dim4) {
      /* one bulk copy per chunk: node vectors are contiguous within a chunk */
      __builtin_memcpy(dst, src + (unsigned long)i * dim, (unsigned long)run * dim * 4);
    } else {
      for (u32 r = 0; r < run; r++) {
        __builtin_memcpy(dst + r * dim4, src + (unsigned long)(i + r) * dim, dim * 4);
        for (u32 k = dim; k < dim4; k++) dst[r * dim4 + k] = 0;
      }
    }
    for (u32 r = 0; r < run; r++) {
      if (metric == METRIC_COSINE && !raw) normalize(dst + r * dim4);
      *meta(id + r) = 0;
      links(id + r, 0)[0] = 0;
    }
    count += run;
    i += run;
  }
  return (i32)first;
}

static u32 random_level(void) {
  /* P(level >= l) = M^-l, i.e. floor(-ln(u) / ln(M)) without a log */
  rng ^= rng << 13;
  rng ^= rng >> 17;
  rng ^= rng << 5;
  float u = ((rng >> 8) + 1) * (1.0f / 16777217.0f);
  u32 level = 0;
  float t = 1.0f / (float)M;
  while (u < t && level < MAX_LEVEL) {
    level++;
    t /= (float)M;
  }
  return level;
}

static int set_level(u32 id, u32 level) {
  *meta(id) = (*meta(id) & DELETED) | level;
  upper_chunk[id >> CHUNK_BITS][id & (CHUNK - 1)] = 0;
  if (level == 0) return 1;
  u32 *up = allocate(level * (M + 1) * 4);
  if (!up) return 0;
  for (u32 l = 0; l < level; l++) up[l * (M + 1)] = 0;
  upper_chunk[id >> CHUNK_BITS][id & (CHUNK - 1)] = up;
  return 1;
}

/** Links an appended node into the graph. Returns 1, or 0 when memory is exhausted. */
EXPORT("insert") int insert(u32 id) {
  u32 level = random_level();
  if (!set_level(id, level)) return 0;
  dirty_graph = 1;
  if (entry < 0) {
    entry = (i32)id;
    max_level = (i32)level;
    return 1;
  }
  if (!visit_begin()) return 0;
  if (build_int8 && !quantize_pending()) return 0;
  build_id = (i32)id;
  const float *q = vec(id);
  u32 current = (u32)entry;
  float current_d = to_node(q, current);
  current = greedy(q, current, &current_d, max_level, (i32)level);
  static u32 selected[1024];
  int ok = 1;
  for (i32 l = (i32)level < max_level ? (i32)level : max_level; ok && l >= 0; l--) {
    ok = visit_begin() && search_layer(q, current, current_d, ef_construction, (u32)l, 0, 0);
    if (!ok) break;
    if (build_int8) {
      /* rescore the found candidates exactly: links are chosen on float distances */
      Pair *items = results.items;
      u32 found = results.size;
      results.size = 0;
      for (u32 r = 0; r < found; r++) {
        Pair p = items[r];
        heap_push(&results, distance(q, vec(p.id)), p.id);
      }
    }
    u32 n = select_neighbors(&results, M, selected);
    ok = connect(id, (u32)l, selected, n);
    if (ok && n) {
      current = selected[0];
      current_d = to_node(q, current);
    }
  }
  build_id = -1;
  if (!ok) return 0;
  if ((i32)level > max_level) {
    entry = (i32)id;
    max_level = (i32)level;
  }
  return 1;
}

/** Chooses links on int8 copies (1, the default except for dotproduct) or on the float vectors (0). */
EXPORT("set_build_int8") void set_build_int8(u32 on) { build_int8 = on ? 1 : 0; }

/** Marks a node deleted (1) or live (0). Deleted nodes are still traversed, never returned. */
EXPORT("set_deleted") void set_deleted(u32 id, u32 flag) {
  if (flag) *meta(id) |= DELETED;
  else *meta(id) &= ~DELETED;
}

static u32 *out_ids;
static float *out_dists;
static u32 out_cap;

static int reserve_output(u32 k) {
  if (k <= out_cap) return 1;
  out_ids = allocate(k * 4);
  out_dists = allocate(k * 4);
  out_cap = (out_ids && out_dists) ? k : 0;
  return out_cap != 0;
}

static u32 emit_results(u32 k) {
  while (results.size > k) heap_pop(&results);
  u32 n = results.size;
  for (i32 i = (i32)n - 1; i >= 0; i--) {
    Pair p = heap_pop(&results);
    out_ids[i] = p.id;
    out_dists[i] = p.d;
  }
  return n;
}

static float *prepare_query(float *q) {
  for (u32 k = dim; k < dim4; k++) q[k] = 0;
  if (metric == METRIC_COSINE) normalize(q);
  return q;
}

/** Graph search for the `k` nearest live nodes to the query at `q` (dim4 floats, padded in place),
 * exploring with `ef`. `allowed`: one byte per node, or 0 for all. Returns the number found
 * (ids/distances at `out_ids()`/`out_dists()`), or -1 when memory is exhausted. */
EXPORT("search") i32 search(float *q, u32 k, u32 ef, const u8 *allowed) {
  if (!reserve_output(k)) return -1;
  if (entry < 0 || count == 0) return 0;
  prepare_query(q);
  if (!visit_begin()) return -1;
  u32 current = (u32)entry;
  float current_d = distance(q, vec(current));
  current = greedy(q, current, &current_d, max_level, 0);
  if (!search_layer(q, current, current_d, ef < k ? k : ef, 0, allowed, 1)) return -1;
  return (i32)emit_results(k);
}

/** Exact scan. `ids` lists the nodes to scan (`n` of them), or is 0 to scan every live node. */
EXPORT("exact") i32 exact(float *q, u32 k, const u32 *ids, u32 n) {
  if (!reserve_output(k)) return -1;
  prepare_query(q);
  results.size = 0;
  u32 total = ids ? n : count;
  float bound = 3.4e38f;
  for (u32 i = 0; i < total; i++) {
    u32 id = ids ? ids[i] : i;
    if (is_deleted(id)) continue;
    float d = distance(q, vec(id));
    if (results.size < k || d < bound) {
      if (!heap_push(&results, d, id)) return -1;
      if (results.size > k) heap_pop(&results);
      bound = results.items[0].d;
    }
  }
  last_visited = total;
  return (i32)emit_results(k);
}

EXPORT("out_ids") u32 *get_out_ids(void) { return out_ids; }
EXPORT("out_dists") float *get_out_dists(void) { return out_dists; }
EXPORT("visited") u32 get_visited(void) { return last_visited; }
EXPORT("count") u32 get_count(void) { return count; }
EXPORT("vector") float *get_vector(u32 id) { return vec(id); }
EXPORT("dim_padded") u32 get_dim4(void) { return dim4; }

/* ---- graph (de)serialisation: [count, entry, max_level] then per node: meta, level-0 links
 * (M0 + 1 words), upper links (level * (M + 1) words) ---- */
EXPORT("graph_bytes") u32 graph_bytes(void) {
  u32 words = 3;
  for (u32 id = 0; id < count; id++) words += 1 + (M0 + 1) + level_of(id) * (M + 1);
  return words * 4;
}

EXPORT("graph_save") void graph_save(u32 *dst) {
  *dst++ = count;
  *dst++ = (u32)entry;
  *dst++ = (u32)max_level;
  for (u32 id = 0; id < count; id++) {
    u32 level = level_of(id);
    *dst++ = level;
    __builtin_memcpy(dst, links(id, 0), (M0 + 1) * 4);
    dst += M0 + 1;
    if (level) {
      __builtin_memcpy(dst, links(id, 1), level * (M + 1) * 4);
      dst += level * (M + 1);
    }
  }
  dirty_graph = 0;
}

/** Restores links for the first nodes (their vectors must be appended already). Validates every
 * id and count; returns the number of nodes restored, or -1 if the data is malformed. */
EXPORT("graph_load") i32 graph_load(const u32 *src, u32 bytes) {
  const u32 *end = src + bytes / 4;
  if (bytes < 12) return -1;
  u32 n = src[0];
  i32 e = (i32)src[1], top = (i32)src[2];
  src += 3;
  if (n > count || (n == 0 && e != -1) || (n && (e < 0 || (u32)e >= n || top < 0 || top > MAX_LEVEL)))
    return -1;
  for (u32 id = 0; id < n; id++) {
    if (src + 1 + M0 + 1 > end) return -1;
    u32 level = *src++;
    if (level > MAX_LEVEL || (i32)level > top) return -1;
    if (!set_level(id, level)) return -1;
    for (u32 l = 0; l <= level; l++) {
      u32 width = l == 0 ? M0 : M;
      if (src + width + 1 > end || src[0] > width) return -1;
      for (u32 j = 1; j <= src[0]; j++)
        if (src[j] >= n) return -1;
      __builtin_memcpy(links(id, l), src, (width + 1) * 4);
      src += width + 1;
    }
  }
  if (n && level_of((u32)e) != (u32)top) return -1;
  entry = e;
  max_level = top;
  dirty_graph = 0;
  return (i32)n;
}

/** A fast 32-bit checksum (four interleaved multiply-rotate lanes, then mixed). */
EXPORT("checksum") u32 checksum(const u8 *src, u32 bytes) {
  v128_t h = wasm_u32x4_make(0x9e3779b1u, 0x85ebca77u, 0xc2b2ae3du, 0x27d4eb2fu);
  v128_t prime = wasm_u32x4_splat(0x9e3779b1u);
  u32 i = 0;
  for (; i + 16 <= bytes; i += 16) {
    h = wasm_v128_xor(h, wasm_v128_load(src + i));
    h = wasm_i32x4_mul(h, prime);
    h = wasm_v128_or(wasm_i32x4_shl(h, 13), wasm_u32x4_shr(h, 19));
  }
  u32 out = bytes;
  out = (out ^ wasm_i32x4_extract_lane(h, 0)) * 0x85ebca77u;
  out = (out ^ wasm_i32x4_extract_lane(h, 1)) * 0x85ebca77u;
  out = (out ^ wasm_i32x4_extract_lane(h, 2)) * 0x85ebca77u;
  out = (out ^ wasm_i32x4_extract_lane(h, 3)) * 0x85ebca77u;
  for (; i < bytes; i++) out = (out ^ src[i]) * 0xc2b2ae3du;
  out ^= out >> 16;
  return out;
}
