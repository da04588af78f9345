/* wire.c: envelope codec, canonical JSON, NDJSON and gzip for the sync protocol. */
#define G_LOG_DOMAIN "clmrs-wire"

#include "wire.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

G_DEFINE_QUARK (clmrs-wire-error-quark, clmrs_wire_error)

/* ---- JSON parsing with bounded nesting ---------------------------------- */

/* TRUE when the array/object nesting of @text never exceeds the limit.
 * Brackets inside strings do not count.  Cheap, and it keeps the recursive
 * parser and serialiser away from stack exhaustion. */
static gboolean
nesting_within_limit (const char *text,
                      gsize       length)
{
  int depth = 0;
  gboolean in_string = FALSE;

  for (gsize i = 0; i < length; i++)
    {
      char c = text[i];

      if (in_string)
        {
          if (c == '\\')
            i++;
          else if (c == '"')
            in_string = FALSE;
        }
      else if (c == '"')
        in_string = TRUE;
      else if (c == '[' || c == '{')
        {
          if (++depth > CLMRS_WIRE_MAX_DEPTH)
            return FALSE;
        }
      else if (c == ']' || c == '}')
        depth--;
    }
  return TRUE;
}

/* Whether every string and member name under @node is valid UTF-8. */
static gboolean
strings_are_utf8 (JsonNode *node)
{
  switch (JSON_NODE_TYPE (node))
    {
    case JSON_NODE_OBJECT:
      {
        JsonObjectIter iter;
        const char *name;
        JsonNode *member;

        json_object_iter_init (&iter, json_node_get_object (node));
        while (json_object_iter_next (&iter, &name, &member))
          if (!g_utf8_validate (name, -1, NULL) || !strings_are_utf8 (member))
            return FALSE;
        return TRUE;
      }
    case JSON_NODE_ARRAY:
      {
        JsonArray *array = json_node_get_array (node);

        for (guint i = 0; i < json_array_get_length (array); i++)
          if (!strings_are_utf8 (json_array_get_element (array, i)))
            return FALSE;
        return TRUE;
      }
    case JSON_NODE_VALUE:
      return json_node_get_value_type (node) != G_TYPE_STRING ||
             g_utf8_validate (json_node_get_string (node), -1, NULL);
    default:
      return TRUE;
    }
}

/**
 * clmrs_wire_parse_json:
 * @line_no: the line number used in error messages
 *
 * Returns: (transfer full): the parsed node, or %NULL with
 * %CLMRS_WIRE_ERROR_JSON naming the line when @text is not UTF-8, nests
 * deeper than %CLMRS_WIRE_MAX_DEPTH or is not one JSON value.
 */
JsonNode *
clmrs_wire_parse_json (const char *text,
                       gsize       length,
                       guint       line_no,
                       GError    **error)
{
  g_autoptr(JsonParser) parser = NULL;
  g_autoptr(GError) local_error = NULL;
  JsonNode *root;

  g_return_val_if_fail (text != NULL || length == 0, NULL);

  if (memchr (text, '\0', length) != NULL)
    {
      g_set_error (error, CLMRS_WIRE_ERROR, CLMRS_WIRE_ERROR_JSON,
                   "line %u: malformed JSON: contains a NUL byte", line_no);
      return NULL;
    }
  if (!g_utf8_validate_len (text, length, NULL))
    {
      g_set_error (error, CLMRS_WIRE_ERROR, CLMRS_WIRE_ERROR_JSON,
                   "line %u: malformed JSON: not valid UTF-8", line_no);
      return NULL;
    }
  if (!nesting_within_limit (text, length))
    {
      g_set_error (error, CLMRS_WIRE_ERROR, CLMRS_WIRE_ERROR_JSON,
                   "line %u: malformed JSON: nested deeper than %d levels",
                   line_no, CLMRS_WIRE_MAX_DEPTH);
      return NULL;
    }

  parser = json_parser_new_immutable ();
  /* an empty GByteArray's data is NULL: still "empty", not a critical */
  if (!json_parser_load_from_data (parser, text != NULL ? text : "", (gssize) length, &local_error))
    {
      g_autofree char *why = clmrs_json_error_describe (local_error);

      g_set_error (error, CLMRS_WIRE_ERROR, CLMRS_WIRE_ERROR_JSON,
                   "line %u: malformed JSON: %s", line_no, why);
      return NULL;
    }
  root = json_parser_get_root (parser);
  if (root == NULL)
    {
      g_set_error (error, CLMRS_WIRE_ERROR, CLMRS_WIRE_ERROR_JSON,
                   "line %u: malformed JSON: empty", line_no);
      return NULL;
    }
  /* json-glib takes escapes JSON does not have ("\200", an octal byte)
   * and can make a string that is not UTF-8 from valid text: refused, or
   * its canonical form would not parse again */
  if (!strings_are_utf8 (root))
    {
      g_set_error (error, CLMRS_WIRE_ERROR, CLMRS_WIRE_ERROR_JSON,
                   "line %u: malformed JSON: a string is not valid UTF-8 (an escape JSON does not have?)",
                   line_no);
      return NULL;
    }
  return json_node_copy (root);
}

/**
 * clmrs_wire_check_no_nul:
 *
 * json-glib ends a string at its first NUL, so "Awa\u0000Kon\u00e9"
 * parses as "Awa": a changed record would hash as its previous revision
 * (and be answered duplicate, its content dropped), and an id
 * "<uuid>\u0000/../.." would pass as the UUID.  No field of the protocol
 * has a use for NUL: such a text is refused, not repaired.
 *
 * Returns: %FALSE with %CLMRS_WIRE_ERROR_ENVELOPE when a string holds one.
 */
gboolean
clmrs_wire_check_no_nul (const char *text,
                         gsize       length,
                         guint       line_no,
                         GError    **error)
{
  g_autofree char *path = NULL;
  gboolean in_name = FALSE;

  if (!clmrs_json_text_find_nul (text, length, &path, &in_name))
    return TRUE;
  g_set_error (error, CLMRS_WIRE_ERROR, CLMRS_WIRE_ERROR_ENVELOPE,
               "line %u: %s%s%s holds a NUL character (\\u0000)", line_no,
               path, *path != '\0' ? ": " : "",
               in_name ? "a member name" : "a string");
  return FALSE;
}

/* ---- Canonical JSON ----------------------------------------------------- */

/**
 * clmrs_json_canonical:
 * @length: (out) (optional): the length of the result
 *
 * Returns: (transfer full): @node serialised canonically: object members
 * sorted by key (bytewise UTF-8), no insignificant whitespace, strings
 * escaping only `"`, `\` and control characters, integers in decimal,
 * integral doubles below 1e15 as integers (1.0 -> 1), other numbers in the
 * shortest "%.Ng" that reads back to the same double (0.1, 1e+20).
 * Two texts that parse to the same values give the same bytes.
 */
char *
clmrs_json_canonical (JsonNode *node,
                      gsize    *length)
{
  GString *out;

  g_return_val_if_fail (node != NULL, NULL);

  out = g_string_new (NULL);
  clmrs_json_append (out, node, TRUE);
  if (length != NULL)
    *length = out->len;
  return g_string_free (out, FALSE);
}

/* Returns: (transfer full): the lower-case hex SHA-256 of the canonical form. */
char *
clmrs_json_canonical_sha256 (JsonNode *node)
{
  g_autofree char *text = NULL;
  gsize length;

  g_return_val_if_fail (node != NULL, NULL);

  text = clmrs_json_canonical (node, &length);
  return g_compute_checksum_for_data (G_CHECKSUM_SHA256, (const guchar *) text, length);
}

/* ---- Envelope ------------------------------------------------------------ */

void
clmrs_envelope_free (ClmrsEnvelope *envelope)
{
  if (envelope == NULL)
    return;
  g_free (envelope->id);
  g_free (envelope->device_id);
  g_free (envelope->author);
  g_free (envelope->community_id);
  g_free (envelope->created);
  g_free (envelope->modified);
  g_free (envelope->schema);
  g_free (envelope->rules);
  g_clear_pointer (&envelope->body, json_object_unref);
  g_free (envelope->household_id);
  g_free (envelope->child_id);
  g_free (envelope->visit_id);
  g_free (envelope->sha256);
  g_free (envelope);
}

static gboolean
is_uuid_v4 (const char *text)
{
  return g_uuid_string_is_valid (text) && text[14] == '4' && strchr ("89abAB", text[19]) != NULL;
}

/* YYYY-MM-DDTHH:MM:SS[.fraction]Z, a real calendar time. */
static gboolean
is_rfc3339_utc (const char *text)
{
  static const char pattern[] = "dddd-dd-ddTdd:dd:dd";
  gsize n = strlen (text);
  gsize i;
  g_autoptr(GDateTime) time = NULL;

  if (n < 20 || text[n - 1] != 'Z')
    return FALSE;
  for (i = 0; pattern[i] != '\0'; i++)
    {
      if (pattern[i] == 'd' ? !g_ascii_isdigit (text[i]) : text[i] != pattern[i])
        return FALSE;
    }
  if (text[i] == '.')
    {
      i++;
      if (!g_ascii_isdigit (text[i]))
        return FALSE;
      while (g_ascii_isdigit (text[i]))
        i++;
    }
  if (i != n - 1)
    return FALSE;
  time = g_date_time_new_from_iso8601 (text, NULL);
  return time != NULL;
}

/* "<id>@<version>": both non-empty, letters, digits and . _ - only. */
static gboolean
is_versioned_id (const char *text)
{
  const char *at = strchr (text, '@');

  if (at == NULL || at == text || at[1] == '\0')
    return FALSE;
  for (const char *p = text; *p != '\0'; p++)
    {
      if (p == at)
        continue;
      if (!g_ascii_isalnum (*p) && *p != '.' && *p != '_' && *p != '-')
        return FALSE;
    }
  return TRUE;
}

typedef enum {
  FIELD_STRING,
  FIELD_UUID,
  FIELD_UUID_V4,
  FIELD_TIME,
  FIELD_VERSIONED,
} FieldKind;

static const char *
field_expectation (FieldKind kind)
{
  switch (kind)
    {
    case FIELD_UUID: return "expected a UUID string";
    case FIELD_UUID_V4: return "expected a UUID v4 string";
    case FIELD_TIME: return "expected an RFC 3339 UTC time string (YYYY-MM-DDTHH:MM:SSZ)";
    case FIELD_VERSIONED: return "expected a string \"<id>@<version>\"";
    case FIELD_STRING:
    default: return "expected a string";
    }
}

static gboolean
field_ok (const char *text,
          FieldKind   kind)
{
  switch (kind)
    {
    case FIELD_UUID: return g_uuid_string_is_valid (text);
    case FIELD_UUID_V4: return is_uuid_v4 (text);
    case FIELD_TIME: return is_rfc3339_utc (text);
    case FIELD_VERSIONED: return is_versioned_id (text);
    case FIELD_STRING:
    default: return TRUE;
    }
}

/* Reads string member @name of @object (the envelope when @prefix is "",
 * else the body).  With @optional, a missing member or null gives NULL. */
static gboolean
read_string (JsonObject  *object,
             const char  *prefix,
             const char  *name,
             FieldKind    kind,
             gboolean     optional,
             guint        line_no,
             char       **out,
             GError     **error)
{
  JsonNode *node = json_object_get_member (object, name);

  *out = NULL;
  if (node == NULL || JSON_NODE_HOLDS_NULL (node))
    {
      if (optional)
        return TRUE;
      if (node == NULL)
        g_set_error (error, CLMRS_WIRE_ERROR, CLMRS_WIRE_ERROR_ENVELOPE,
                     "line %u: %s%s: missing", line_no, prefix, name);
      else
        g_set_error (error, CLMRS_WIRE_ERROR, CLMRS_WIRE_ERROR_ENVELOPE,
                     "line %u: %s%s: %s, not null", line_no, prefix, name,
                     field_expectation (kind));
      return FALSE;
    }
  if (!JSON_NODE_HOLDS_VALUE (node) || json_node_get_value_type (node) != G_TYPE_STRING
      || !field_ok (json_node_get_string (node), kind))
    {
      g_set_error (error, CLMRS_WIRE_ERROR, CLMRS_WIRE_ERROR_ENVELOPE,
                   "line %u: %s%s: %s%s", line_no, prefix, name, field_expectation (kind),
                   optional ? " or null" : "");
      return FALSE;
    }
  *out = g_strdup (json_node_get_string (node));
  return TRUE;
}

static const char *const envelope_fields[] = {
  "v", "id", "type", "rev", "device_id", "author", "community_id",
  "created", "modified", "schema", "rules", "body",
};

/**
 * clmrs_envelope_from_node:
 * @node: a parsed JSON value (one NDJSON line)
 * @line_no: the line number for error messages
 *
 * Validates the v1 envelope strictly (every field present with its type,
 * no unknown field) and the body as an object carrying the scoping keys
 * its type needs (child.household_id, review.visit_id; optional UUIDs
 * otherwise).
 *
 * Returns: (transfer full): the envelope with its canonical SHA-256, or
 * %NULL and %CLMRS_WIRE_ERROR_ENVELOPE naming the line and field
 * (`line 3: rev: expected an integer >= 1`).
 */
ClmrsEnvelope *
clmrs_envelope_from_node (JsonNode *node,
                          guint     line_no,
                          GError  **error)
{
  g_autoptr(ClmrsEnvelope) env = NULL;
  g_autoptr(GList) members = NULL;
  JsonObject *object;
  JsonNode *member;

  g_return_val_if_fail (node != NULL, NULL);

  if (!JSON_NODE_HOLDS_OBJECT (node))
    {
      g_set_error (error, CLMRS_WIRE_ERROR, CLMRS_WIRE_ERROR_ENVELOPE,
                   "line %u: expected a JSON object (a record envelope)", line_no);
      return NULL;
    }
  object = json_node_get_object (node);

  members = json_object_get_members (object);
  for (GList *l = members; l != NULL; l = l->next)
    {
      gboolean known = FALSE;

      for (guint i = 0; i < G_N_ELEMENTS (envelope_fields); i++)
        known = known || strcmp (l->data, envelope_fields[i]) == 0;
      if (!known)
        {
          g_set_error (error, CLMRS_WIRE_ERROR, CLMRS_WIRE_ERROR_ENVELOPE,
                       "line %u: %s: unknown envelope field", line_no, (const char *) l->data);
          return NULL;
        }
    }

  member = json_object_get_member (object, "v");
  if (member == NULL)
    {
      g_set_error (error, CLMRS_WIRE_ERROR, CLMRS_WIRE_ERROR_ENVELOPE,
                   "line %u: v: missing", line_no);
      return NULL;
    }
  if (!JSON_NODE_HOLDS_VALUE (member) || json_node_get_value_type (member) != G_TYPE_INT64
      || json_node_get_int (member) != CLMRS_WIRE_VERSION)
    {
      g_set_error (error, CLMRS_WIRE_ERROR, CLMRS_WIRE_ERROR_ENVELOPE,
                   "line %u: v: expected the integer %d", line_no, CLMRS_WIRE_VERSION);
      return NULL;
    }

  env = g_new0 (ClmrsEnvelope, 1);
  if (!read_string (object, "", "id", FIELD_UUID_V4, FALSE, line_no, &env->id, error))
    return NULL;

  member = json_object_get_member (object, "type");
  if (member == NULL)
    {
      g_set_error (error, CLMRS_WIRE_ERROR, CLMRS_WIRE_ERROR_ENVELOPE,
                   "line %u: type: missing", line_no);
      return NULL;
    }
  if (!JSON_NODE_HOLDS_VALUE (member) || json_node_get_value_type (member) != G_TYPE_STRING
      || !clmrs_record_type_from_string (json_node_get_string (member), &env->type))
    {
      g_set_error (error, CLMRS_WIRE_ERROR, CLMRS_WIRE_ERROR_ENVELOPE,
                   "line %u: type: expected one of household, child, visit, support, "
                   "awareness_session, review, community, audit", line_no);
      return NULL;
    }

  member = json_object_get_member (object, "rev");
  if (member == NULL)
    {
      g_set_error (error, CLMRS_WIRE_ERROR, CLMRS_WIRE_ERROR_ENVELOPE,
                   "line %u: rev: missing", line_no);
      return NULL;
    }
  if (!JSON_NODE_HOLDS_VALUE (member) || json_node_get_value_type (member) != G_TYPE_INT64
      || json_node_get_int (member) < 1)
    {
      g_set_error (error, CLMRS_WIRE_ERROR, CLMRS_WIRE_ERROR_ENVELOPE,
                   "line %u: rev: expected an integer >= 1", line_no);
      return NULL;
    }
  env->rev = json_node_get_int (member);

  if (!read_string (object, "", "device_id", FIELD_UUID, FALSE, line_no, &env->device_id, error)
      || !read_string (object, "", "author", FIELD_UUID, FALSE, line_no, &env->author, error)
      || !read_string (object, "", "community_id", FIELD_UUID, FALSE, line_no, &env->community_id, error)
      || !read_string (object, "", "created", FIELD_TIME, FALSE, line_no, &env->created, error)
      || !read_string (object, "", "modified", FIELD_TIME, FALSE, line_no, &env->modified, error)
      || !read_string (object, "", "schema", FIELD_VERSIONED, FALSE, line_no, &env->schema, error))
    return NULL;

  if (!json_object_has_member (object, "rules"))
    {
      g_set_error (error, CLMRS_WIRE_ERROR, CLMRS_WIRE_ERROR_ENVELOPE,
                   "line %u: rules: missing (null when no rule set applies)", line_no);
      return NULL;
    }
  if (!read_string (object, "", "rules", FIELD_VERSIONED, TRUE, line_no, &env->rules, error))
    return NULL;

  member = json_object_get_member (object, "body");
  if (member == NULL)
    {
      g_set_error (error, CLMRS_WIRE_ERROR, CLMRS_WIRE_ERROR_ENVELOPE,
                   "line %u: body: missing", line_no);
      return NULL;
    }
  if (!JSON_NODE_HOLDS_OBJECT (member))
    {
      g_set_error (error, CLMRS_WIRE_ERROR, CLMRS_WIRE_ERROR_ENVELOPE,
                   "line %u: body: expected a JSON object", line_no);
      return NULL;
    }
  env->body = json_object_ref (json_node_get_object (member));

  switch (env->type)
    {
    case CLMRS_RECORD_CHILD:
      if (!read_string (env->body, "body.", "household_id", FIELD_UUID, FALSE, line_no,
                        &env->household_id, error))
        return NULL;
      break;
    case CLMRS_RECORD_VISIT:
      if (!read_string (env->body, "body.", "household_id", FIELD_UUID, TRUE, line_no,
                        &env->household_id, error)
          || !read_string (env->body, "body.", "child_id", FIELD_UUID, TRUE, line_no,
                           &env->child_id, error))
        return NULL;
      break;
    case CLMRS_RECORD_SUPPORT:
      if (!read_string (env->body, "body.", "household_id", FIELD_UUID, TRUE, line_no,
                        &env->household_id, error)
          || !read_string (env->body, "body.", "child_id", FIELD_UUID, TRUE, line_no,
                           &env->child_id, error)
          || !read_string (env->body, "body.", "visit_id", FIELD_UUID, TRUE, line_no,
                           &env->visit_id, error))
        return NULL;
      break;
    case CLMRS_RECORD_AWARENESS_SESSION:
      if (!read_string (env->body, "body.", "household_id", FIELD_UUID, TRUE, line_no,
                        &env->household_id, error))
        return NULL;
      break;
    case CLMRS_RECORD_REVIEW:
      if (!read_string (env->body, "body.", "visit_id", FIELD_UUID, FALSE, line_no,
                        &env->visit_id, error))
        return NULL;
      break;
    case CLMRS_RECORD_HOUSEHOLD:
    case CLMRS_RECORD_COMMUNITY:
    default:
      break;
    }

  env->sha256 = clmrs_json_canonical_sha256 (node);
  return g_steal_pointer (&env);
}

/**
 * clmrs_envelope_parse:
 * @line: one NDJSON line, not necessarily NUL-terminated
 *
 * Returns: (transfer full): the validated envelope, or %NULL and an error
 * (%CLMRS_WIRE_ERROR_JSON or %CLMRS_WIRE_ERROR_ENVELOPE) naming @line_no.
 */
ClmrsEnvelope *
clmrs_envelope_parse (const char *line,
                      gsize       length,
                      guint       line_no,
                      GError    **error)
{
  g_autoptr(JsonNode) node = NULL;

  g_return_val_if_fail (line != NULL || length == 0, NULL);

  node = clmrs_wire_parse_json (line, length, line_no, error);
  if (node == NULL || !clmrs_wire_check_no_nul (line, length, line_no, error))
    return NULL;
  return clmrs_envelope_from_node (node, line_no, error);
}

void
clmrs_envelope_get_header (const ClmrsEnvelope *envelope,
                           ClmrsRecordHeader   *header)
{
  g_return_if_fail (envelope != NULL && header != NULL);

  *header = (ClmrsRecordHeader) {
    .type = envelope->type,
    .id = envelope->id,
    .rev = envelope->rev,
    .device_id = envelope->device_id,
    .author = envelope->author,
    .community_id = envelope->community_id,
    .created = envelope->created,
    .modified = envelope->modified,
    .schema = envelope->schema,
    .rules = envelope->rules,
  };
}

/* ---- Push responses and error bodies ------------------------------------------ */

/**
 * clmrs_push_response_parse:
 *
 * Returns: (transfer full) (element-type ClmrsPushResult): the results in
 * order, or %NULL and %CLMRS_WIRE_ERROR_JSON naming what is wrong.
 */
GPtrArray *
clmrs_push_response_parse (const char  *json,
                           gsize        length,
                           gboolean    *stored_omitted,
                           GError     **error)
{
  g_autoptr(JsonNode) root = NULL;
  g_autoptr(GPtrArray) results = NULL;
  JsonNode *member;
  JsonArray *array;

  g_return_val_if_fail (json != NULL || length == 0, NULL);

  root = clmrs_wire_parse_json (json, length, 1, error);
  if (root == NULL)
    return NULL;
  member = JSON_NODE_HOLDS_OBJECT (root) ? json_object_get_member (json_node_get_object (root), "results")
                                         : NULL;
  if (member == NULL || !JSON_NODE_HOLDS_ARRAY (member))
    {
      g_set_error (error, CLMRS_WIRE_ERROR, CLMRS_WIRE_ERROR_JSON,
                   "push response: results: expected an array");
      return NULL;
    }
  array = json_node_get_array (member);
  if (stored_omitted != NULL)
    *stored_omitted = g_strcmp0 (json_object_get_string_member_with_default (json_node_get_object (root), "omitted", NULL),
                                 "stored") == 0;
  results = g_ptr_array_new_with_free_func ((GDestroyNotify) clmrs_push_result_free);
  for (guint i = 0; i < json_array_get_length (array); i++)
    {
      JsonNode *node = json_array_get_element (array, i);
      JsonObject *o = JSON_NODE_HOLDS_OBJECT (node) ? json_node_get_object (node) : NULL;
      g_autoptr(ClmrsPushResult) r = g_new0 (ClmrsPushResult, 1);
      JsonNode *line, *id, *rev, *result, *reason;
      gboolean known = FALSE;

      line = o != NULL ? json_object_get_member (o, "line") : NULL;
      id = o != NULL ? json_object_get_member (o, "id") : NULL;
      rev = o != NULL ? json_object_get_member (o, "rev") : NULL;
      result = o != NULL ? json_object_get_member (o, "result") : NULL;
      reason = o != NULL ? json_object_get_member (o, "reason") : NULL;
      if (line == NULL || json_node_get_value_type (line) != G_TYPE_INT64
          || id == NULL || json_node_get_value_type (id) != G_TYPE_STRING
          || rev == NULL || json_node_get_value_type (rev) != G_TYPE_INT64
          || result == NULL || json_node_get_value_type (result) != G_TYPE_STRING)
        {
          g_set_error (error, CLMRS_WIRE_ERROR, CLMRS_WIRE_ERROR_JSON,
                       "push response: results[%u]: expected {line, id, rev, result}", i);
          return NULL;
        }
      known = clmrs_push_outcome_from_string (json_node_get_string (result), &r->outcome);
      if (!known)
        {
          g_set_error (error, CLMRS_WIRE_ERROR, CLMRS_WIRE_ERROR_JSON,
                       "push response: results[%u].result: unknown value \"%s\"", i,
                       json_node_get_string (result));
          return NULL;
        }
      r->line = (guint) CLAMP (json_node_get_int (line), 0, G_MAXUINT);
      r->id = g_strdup (json_node_get_string (id));
      r->rev = json_node_get_int (rev);
      if (reason != NULL && json_node_get_value_type (reason) == G_TYPE_STRING)
        r->reason = g_strdup (json_node_get_string (reason));
      g_ptr_array_add (results, g_steal_pointer (&r));
    }
  return g_steal_pointer (&results);
}

/* TRUE and sets @code and @message when @json is `{"error":{"code","message"}}`. */
gboolean
clmrs_wire_error_parse (const char  *json,
                        gsize        length,
                        char       **code,
                        char       **message)
{
  g_autoptr(JsonNode) root = NULL;
  JsonNode *error_node;
  JsonObject *error;
  JsonNode *c, *m;

  *code = *message = NULL;
  if (json == NULL)
    return FALSE;
  root = clmrs_wire_parse_json (json, length, 1, NULL);
  if (root == NULL || !JSON_NODE_HOLDS_OBJECT (root))
    return FALSE;
  error_node = json_object_get_member (json_node_get_object (root), "error");
  if (error_node == NULL || !JSON_NODE_HOLDS_OBJECT (error_node))
    return FALSE;
  error = json_node_get_object (error_node);
  c = json_object_get_member (error, "code");
  m = json_object_get_member (error, "message");
  if (c == NULL || json_node_get_value_type (c) != G_TYPE_STRING
      || m == NULL || json_node_get_value_type (m) != G_TYPE_STRING)
    return FALSE;
  *code = g_strdup (json_node_get_string (c));
  *message = g_strdup (json_node_get_string (m));
  return TRUE;
}

/* ---- NDJSON ---------------------------------------------------------------- */

/* Starts reading @data (borrowed; it must outlive the reader). */
void
clmrs_ndjson_reader_init (ClmrsNdjsonReader *reader,
                          const char        *data,
                          gsize              length)
{
  g_return_if_fail (reader != NULL);

  reader->data = data;
  reader->length = data != NULL ? length : 0;
  reader->pos = 0;
  reader->line_no = 0;
}

/**
 * clmrs_ndjson_reader_next:
 *
 * Yields the next line that holds anything but spaces, tabs and "\r",
 * without its terminator; a last line without "\n" counts.
 *
 * Returns: %FALSE at the end of the buffer.
 */
gboolean
clmrs_ndjson_reader_next (ClmrsNdjsonReader *reader,
                          const char       **line,
                          gsize             *length,
                          guint             *line_no)
{
  g_return_val_if_fail (reader != NULL, FALSE);

  while (reader->pos < reader->length)
    {
      const char *start = reader->data + reader->pos;
      gsize remaining = reader->length - reader->pos;
      const char *newline = memchr (start, '\n', remaining);
      gsize n = newline != NULL ? (gsize) (newline - start) : remaining;
      gboolean blank = TRUE;

      reader->pos += n + (newline != NULL ? 1 : 0);
      reader->line_no++;
      if (n > 0 && start[n - 1] == '\r')
        n--;
      for (gsize i = 0; i < n && blank; i++)
        blank = start[i] == ' ' || start[i] == '\t' || start[i] == '\r';
      if (blank)
        continue;
      *line = start;
      *length = n;
      *line_no = reader->line_no;
      return TRUE;
    }
  return FALSE;
}

/* ---- gzip ----------------------------------------------------------------------- */

/**
 * clmrs_gzip_compress:
 *
 * Returns: (transfer full): @data as one gzip member (RFC 1952).
 */
GBytes *
clmrs_gzip_compress (const void *data,
                     gsize       length,
                     GError    **error)
{
  z_stream zs = { 0 };
  g_autoptr(GByteArray) out = g_byte_array_new ();
  int rc;

  g_return_val_if_fail (data != NULL || length == 0, NULL);

  if (length > G_MAXUINT32)
    {
      g_set_error (error, CLMRS_WIRE_ERROR, CLMRS_WIRE_ERROR_TOO_LARGE,
                   "gzip: %" G_GSIZE_FORMAT " bytes is more than one call compresses", length);
      return NULL;
    }
  /* level 9: about 3% smaller than the default 6 for NDJSON envelopes, at
   * about 60 ms instead of 40 for 1 MiB here: bytes cost more than CPU on
   * a village link */
  if (deflateInit2 (&zs, Z_BEST_COMPRESSION, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY) != Z_OK)
    {
      g_set_error (error, CLMRS_WIRE_ERROR, CLMRS_WIRE_ERROR_GZIP,
                   "gzip: cannot initialise the compressor");
      return NULL;
    }
  zs.next_in = (Bytef *) data;
  zs.avail_in = (uInt) length;
  do
    {
      guint8 chunk[16384];

      zs.next_out = chunk;
      zs.avail_out = sizeof chunk;
      rc = deflate (&zs, Z_FINISH);
      if (rc == Z_STREAM_ERROR)
        {
          deflateEnd (&zs);
          g_set_error (error, CLMRS_WIRE_ERROR, CLMRS_WIRE_ERROR_GZIP, "gzip: compression failed");
          return NULL;
        }
      g_byte_array_append (out, chunk, (guint) (sizeof chunk - zs.avail_out));
    }
  while (rc != Z_STREAM_END);
  deflateEnd (&zs);
  return g_byte_array_free_to_bytes (g_steal_pointer (&out));
}

/**
 * clmrs_gzip_decompress:
 * @max_output: the most bytes the result may hold
 *
 * Inflates one or more concatenated gzip members.  Inflation stops as soon
 * as the output would pass @max_output, so a gzip bomb never costs more
 * than @max_output bytes of memory.
 *
 * Returns: (transfer full): the data, or %NULL with
 * %CLMRS_WIRE_ERROR_TOO_LARGE, or %CLMRS_WIRE_ERROR_GZIP when @data is
 * not gzip, is truncated, fails its CRC or has trailing bytes.
 */
GBytes *
clmrs_gzip_decompress (const void *data,
                       gsize       length,
                       gsize       max_output,
                       GError    **error)
{
  z_stream zs = { 0 };
  g_autoptr(GByteArray) out = g_byte_array_new ();
  const guint8 *in = data;
  gsize consumed = 0;
  int rc = Z_OK;

  g_return_val_if_fail (data != NULL || length == 0, NULL);

  if (length < 2 || in[0] != 0x1f || in[1] != 0x8b)
    {
      g_set_error (error, CLMRS_WIRE_ERROR, CLMRS_WIRE_ERROR_GZIP,
                   "malformed gzip: the body does not start with the gzip magic bytes");
      return NULL;
    }
  if (inflateInit2 (&zs, 15 + 16) != Z_OK)
    {
      g_set_error (error, CLMRS_WIRE_ERROR, CLMRS_WIRE_ERROR_GZIP,
                   "gzip: cannot initialise the decompressor");
      return NULL;
    }

  for (;;)
    {
      guint8 chunk[16384];
      gsize produced;

      if (zs.avail_in == 0 && consumed < length)
        {
          gsize take = MIN (length - consumed, (gsize) G_MAXUINT32);

          zs.next_in = (Bytef *) (in + consumed);
          zs.avail_in = (uInt) take;
          consumed += take;
        }
      zs.next_out = chunk;
      zs.avail_out = sizeof chunk;
      rc = inflate (&zs, Z_NO_FLUSH);
      produced = sizeof chunk - zs.avail_out;
      if (produced > max_output - out->len)
        {
          inflateEnd (&zs);
          g_set_error (error, CLMRS_WIRE_ERROR, CLMRS_WIRE_ERROR_TOO_LARGE,
                       "decompressed body exceeds the limit of %" G_GSIZE_FORMAT " bytes",
                       max_output);
          return NULL;
        }
      g_byte_array_append (out, chunk, (guint) produced);

      if (rc == Z_STREAM_END)
        {
          gsize rest = zs.avail_in + (length - consumed);
          const guint8 *next = zs.next_in;

          if (rest == 0)
            break;
          /* Another member must follow, nothing else. */
          if (zs.avail_in == 0)
            next = in + consumed;
          if (rest < 2 || next[0] != 0x1f || next[1] != 0x8b)
            {
              inflateEnd (&zs);
              g_set_error (error, CLMRS_WIRE_ERROR, CLMRS_WIRE_ERROR_GZIP,
                           "malformed gzip: %" G_GSIZE_FORMAT " bytes of trailing data after the stream",
                           rest);
              return NULL;
            }
          inflateReset (&zs);
          continue;
        }
      if (rc == Z_BUF_ERROR && zs.avail_in == 0 && consumed >= length)
        {
          inflateEnd (&zs);
          g_set_error (error, CLMRS_WIRE_ERROR, CLMRS_WIRE_ERROR_GZIP,
                       "malformed gzip: the stream is truncated");
          return NULL;
        }
      if (rc != Z_OK && rc != Z_BUF_ERROR)
        {
          g_set_error (error, CLMRS_WIRE_ERROR, CLMRS_WIRE_ERROR_GZIP,
                       "malformed gzip: %s", zs.msg != NULL ? zs.msg : zError (rc));
          inflateEnd (&zs);
          return NULL;
        }
    }
  inflateEnd (&zs);
  return g_byte_array_free_to_bytes (g_steal_pointer (&out));
}

/* ---- Errors ---------------------------------------------------------------------- */

/* Returns: (transfer full): the protocol's error body for @code and @message. */
char *
clmrs_wire_error_body (const char *code,
                       const char *message)
{
  g_autoptr(JsonBuilder) builder = json_builder_new ();
  g_autoptr(JsonNode) root = NULL;

  g_return_val_if_fail (code != NULL, NULL);

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "error");
  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "code");
  json_builder_add_string_value (builder, code);
  json_builder_set_member_name (builder, "message");
  json_builder_add_string_value (builder, message != NULL ? message : "");
  json_builder_end_object (builder);
  json_builder_end_object (builder);
  root = json_builder_get_root (builder);
  return clmrs_json_canonical (root, NULL);
}
