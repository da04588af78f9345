/* wire.h: the sync protocol's wire format, shared by the client and clmrs-server. */
#pragma once

#include <glib.h>
#include <json-glib/json-glib.h>

#include "record.h"

G_BEGIN_DECLS

#define CLMRS_WIRE_VERSION 1

/* Deepest array/object nesting accepted in one NDJSON line. */
#define CLMRS_WIRE_MAX_DEPTH 64

#define CLMRS_WIRE_ERROR (clmrs_wire_error_quark ())
GQuark clmrs_wire_error_quark (void);

typedef enum {
  CLMRS_WIRE_ERROR_JSON,        /* a line is not JSON (or not UTF-8, or too deep) */
  CLMRS_WIRE_ERROR_ENVELOPE,    /* JSON, but an envelope field is missing or wrong */
  CLMRS_WIRE_ERROR_GZIP,        /* not a well-formed gzip stream */
  CLMRS_WIRE_ERROR_TOO_LARGE,   /* the decompressed data would exceed the limit */
} ClmrsWireError;

/* Record types: app/record.h (one list for the device and the server). */

/* One record envelope (v1), validated.  Strings are owned. */
typedef struct {
  ClmrsRecordType  type;
  char            *id;
  gint64           rev;
  char            *device_id;
  char            *author;
  char            *community_id;
  char            *created;
  char            *modified;
  char            *schema;
  char            *rules;          /* nullable */
  JsonObject      *body;           /* owned reference */
  /* Scoping references read from the body (nullable). */
  char            *household_id;   /* child (required), visit, support, awareness_session */
  char            *child_id;       /* visit, support */
  char            *visit_id;       /* review (required), support */
  char            *sha256;         /* hex SHA-256 of the canonical envelope */
} ClmrsEnvelope;

/* Both refuse a string holding a NUL character (clmrs_wire_check_no_nul());
 * clmrs_envelope_from_node() sees a parsed tree, where json-glib has
 * already cut such a string short: check the text before calling it. */
ClmrsEnvelope *clmrs_envelope_parse        (const char     *line,
                                            gsize           length,
                                            guint           line_no,
                                            GError        **error);
ClmrsEnvelope *clmrs_envelope_from_node    (JsonNode       *node,
                                            guint           line_no,
                                            GError        **error);
void           clmrs_envelope_free         (ClmrsEnvelope  *envelope);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (ClmrsEnvelope, clmrs_envelope_free)

/* The envelope's header, pointing into @envelope, for
 * clmrs_record_envelope_line(): the one writer of envelopes. */
void           clmrs_envelope_get_header   (const ClmrsEnvelope *envelope,
                                            ClmrsRecordHeader   *header);

/* Push outcomes and results: app/record.h (ClmrsPushResult). */

/* Parses a 200 push response: (element-type ClmrsPushResult).  Sets
 * @stored_omitted (nullable) when the answer is minimal ("omitted":
 * "stored"): it lists only the records that were not stored. */
GPtrArray     *clmrs_push_response_parse   (const char     *json,
                                            gsize           length,
                                            gboolean       *stored_omitted,
                                            GError        **error);

/* Parses an error body; sets @code and @message (both owned). */
gboolean       clmrs_wire_error_parse      (const char     *json,
                                            gsize           length,
                                            char          **code,
                                            char          **message);

/* Parses one JSON text of @length bytes (UTF-8, nesting bounded). */
JsonNode      *clmrs_wire_parse_json       (const char     *text,
                                            gsize           length,
                                            guint           line_no,
                                            GError        **error);

/* %CLMRS_WIRE_ERROR_ENVELOPE naming the line and the field when a string
 * (value or member name) of the JSON text @text holds a NUL character:
 * "line 3: body.answers.name: a string holds a NUL character (\u0000)".
 * @text must already parse (clmrs_wire_parse_json()). */
gboolean       clmrs_wire_check_no_nul     (const char     *text,
                                            gsize           length,
                                            guint           line_no,
                                            GError        **error);

/* Canonical JSON: object members sorted by key (bytewise), no whitespace,
 * integers as integers, other numbers in their shortest round-trip form. */
char          *clmrs_json_canonical        (JsonNode       *node,
                                            gsize          *length);
char          *clmrs_json_canonical_sha256 (JsonNode       *node);

/* NDJSON over a buffer: each call yields the next non-blank line (without
 * its "\n" or "\r\n") and its 1-based line number. */
typedef struct {
  const char *data;
  gsize       length;
  gsize       pos;
  guint       line_no;
} ClmrsNdjsonReader;

void           clmrs_ndjson_reader_init    (ClmrsNdjsonReader *reader,
                                            const char        *data,
                                            gsize              length);
gboolean       clmrs_ndjson_reader_next    (ClmrsNdjsonReader *reader,
                                            const char       **line,
                                            gsize             *length,
                                            guint             *line_no);

/* gzip (RFC 1952) with zlib. */
GBytes        *clmrs_gzip_compress         (const void     *data,
                                            gsize           length,
                                            GError        **error);
GBytes        *clmrs_gzip_decompress       (const void     *data,
                                            gsize           length,
                                            gsize           max_output,
                                            GError        **error);

/* `{"error":{"code":@code,"message":@message}}`. */
char          *clmrs_wire_error_body       (const char     *code,
                                            const char     *message);

G_END_DECLS
