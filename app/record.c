/* record.c: record envelopes, the unit that leaves the device (docs/sync-protocol.md, section 2). */
#define G_LOG_DOMAIN "clmrs-record"

#include "record.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

static const char * const type_names[] = {
  [CLMRS_RECORD_COMMUNITY] = "community",
  [CLMRS_RECORD_HOUSEHOLD] = "household",
  [CLMRS_RECORD_CHILD] = "child",
  [CLMRS_RECORD_VISIT] = "visit",
  [CLMRS_RECORD_SUPPORT] = "support",
  [CLMRS_RECORD_AWARENESS_SESSION] = "awareness_session",
  [CLMRS_RECORD_REVIEW] = "review",
  [CLMRS_RECORD_AUDIT] = "audit",
};

const char *
clmrs_record_type_to_string (ClmrsRecordType type)
{
  g_return_val_if_fail (type < G_N_ELEMENTS (type_names), NULL);
  return type_names[type];
}

gboolean
clmrs_record_type_from_string (const char      *text,
                               ClmrsRecordType *out)
{
  for (guint i = 0; i < G_N_ELEMENTS (type_names); i++)
    if (g_strcmp0 (text, type_names[i]) == 0)
      {
        *out = i;
        return TRUE;
      }
  return FALSE;
}

/* ---- JSON text: one writer for compact and canonical output ---------- */

/* @text is a C string, as json-glib keeps every string: a "\u0000" in a
 * parsed text has already cut it short there, so the parsers refuse such
 * texts first (clmrs_json_text_find_nul()), or the canonical form and its
 * hash would describe less than was sent. */
static void
append_json_string (GString    *out,
                    const char *text)
{
  g_string_append_c (out, '"');
  for (const char *p = text; *p != '\0'; p++)
    {
      guchar c = (guchar) *p;

      switch (c)
        {
        case '"': g_string_append (out, "\\\""); break;
        case '\\': g_string_append (out, "\\\\"); break;
        case '\b': g_string_append (out, "\\b"); break;
        case '\f': g_string_append (out, "\\f"); break;
        case '\n': g_string_append (out, "\\n"); break;
        case '\r': g_string_append (out, "\\r"); break;
        case '\t': g_string_append (out, "\\t"); break;
        default:
          if (c < 0x20)
            g_string_append_printf (out, "\\u%04x", c);
          else
            g_string_append_c (out, (char) c);
        }
    }
  g_string_append_c (out, '"');
}

/* The shortest text that reads back as exactly @value (49.1, not
 * 49.100000000000001 as json-glib writes it); JSON has no NaN or infinity.
 * Compact: always with a '.' or an exponent, so it stays a double (100.0).
 * Canonical: integral values below 1e15 as integers (100, and -0 as 0). */
static void
append_json_double (GString  *out,
                    double    value,
                    gboolean  canonical)
{
  char buf[G_ASCII_DTOSTR_BUF_SIZE];

  if (!isfinite (value))
    {
      g_string_append (out, "null");
      return;
    }
  if (canonical && value == 0)
    {
      g_string_append_c (out, '0');
      return;
    }
  if (value == floor (value) && fabs (value) < 1e15)
    {
      g_ascii_formatd (buf, sizeof buf, "%.0f", value);
      g_string_append (out, buf);
      if (!canonical)
        g_string_append (out, ".0");
      return;
    }
  for (int precision = 1; precision <= 17; precision++)
    {
      char format[8];

      g_snprintf (format, sizeof format, "%%.%dg", precision);
      g_ascii_formatd (buf, sizeof buf, format, value);
      if (g_ascii_strtod (buf, NULL) == value)
        break;
    }
  g_string_append (out, buf);
  if (!canonical && strpbrk (buf, ".eEn") == NULL)
    g_string_append (out, ".0");
}

static int
compare_keys (gconstpointer a,
              gconstpointer b)
{
  return strcmp (*(const char *const *) a, *(const char *const *) b);
}

/**
 * clmrs_json_append:
 * @canonical: members sorted by key (bytewise) and integral doubles as
 *   integers, so that two texts with the same values give the same bytes;
 *   otherwise members in insertion order, as json-glib writes them
 *
 * Appends @node as JSON without insignificant whitespace, strings escaping
 * only `"`, `\` and control characters, doubles in their shortest exact form.
 */
void
clmrs_json_append (GString  *out,
                   JsonNode *node,
                   gboolean  canonical)
{
  switch (json_node_get_node_type (node))
    {
    case JSON_NODE_OBJECT:
      {
        JsonObject *object = json_node_get_object (node);
        g_autoptr(GList) members = json_object_get_members (object);
        g_autoptr(GPtrArray) keys = g_ptr_array_new ();

        for (GList *l = members; l != NULL; l = l->next)
          g_ptr_array_add (keys, l->data);
        if (canonical)
          g_ptr_array_sort (keys, compare_keys);
        g_string_append_c (out, '{');
        for (guint i = 0; i < keys->len; i++)
          {
            const char *key = g_ptr_array_index (keys, i);

            if (i > 0)
              g_string_append_c (out, ',');
            append_json_string (out, key);
            g_string_append_c (out, ':');
            clmrs_json_append (out, json_object_get_member (object, key), canonical);
          }
        g_string_append_c (out, '}');
      }
      break;
    case JSON_NODE_ARRAY:
      {
        JsonArray *array = json_node_get_array (node);
        guint n = json_array_get_length (array);

        g_string_append_c (out, '[');
        for (guint i = 0; i < n; i++)
          {
            if (i > 0)
              g_string_append_c (out, ',');
            clmrs_json_append (out, json_array_get_element (array, i), canonical);
          }
        g_string_append_c (out, ']');
      }
      break;
    case JSON_NODE_VALUE:
      switch (json_node_get_value_type (node))
        {
        case G_TYPE_INT64:
          g_string_append_printf (out, "%" G_GINT64_FORMAT, json_node_get_int (node));
          break;
        case G_TYPE_DOUBLE:
          append_json_double (out, json_node_get_double (node), canonical);
          break;
        case G_TYPE_BOOLEAN:
          g_string_append (out, json_node_get_boolean (node) ? "true" : "false");
          break;
        case G_TYPE_STRING:
          append_json_string (out, json_node_get_string (node));
          break;
        default:
          g_string_append (out, "null");
        }
      break;
    case JSON_NODE_NULL:
    default:
      g_string_append (out, "null");
    }
}

/* Compact JSON in the members' insertion order, as json-glib writes it but
 * for numbers: doubles in their shortest exact form. */
char *
clmrs_json_to_string (JsonNode *node)
{
  GString *out;

  g_return_val_if_fail (node != NULL, NULL);
  out = g_string_sized_new (256);
  clmrs_json_append (out, node, FALSE);
  return g_string_free (out, FALSE);
}

/**
 * clmrs_record_envelope_line:
 * @body: (transfer full): the type's body, a JSON object
 *
 * Returns: (transfer full): the envelope as one line of compact JSON, keys
 * in the order of docs/sync-protocol.md.
 */
static const char *const push_outcome_names[] = {
  [CLMRS_PUSH_STORED] = "stored",
  [CLMRS_PUSH_DUPLICATE] = "duplicate",
  [CLMRS_PUSH_CONFLICT] = "conflict",
  [CLMRS_PUSH_REJECTED] = "rejected",
};

const char *
clmrs_push_outcome_to_string (ClmrsPushOutcome outcome)
{
  g_return_val_if_fail ((guint) outcome < G_N_ELEMENTS (push_outcome_names), NULL);
  return push_outcome_names[outcome];
}

gboolean
clmrs_push_outcome_from_string (const char       *text,
                                ClmrsPushOutcome *out)
{
  for (guint k = 0; text != NULL && k < G_N_ELEMENTS (push_outcome_names); k++)
    if (g_str_equal (text, push_outcome_names[k]))
      {
        *out = (ClmrsPushOutcome) k;
        return TRUE;
      }
  return FALSE;
}

ClmrsPushResult *
clmrs_push_result_new (guint             line,
                       const char       *id,
                       gint64            rev,
                       ClmrsPushOutcome  outcome,
                       const char       *reason)
{
  ClmrsPushResult *result = g_new0 (ClmrsPushResult, 1);

  result->line = line;
  result->id = g_strdup (id);
  result->rev = rev;
  result->outcome = outcome;
  result->reason = g_strdup (reason);
  return result;
}

void
clmrs_push_result_free (ClmrsPushResult *result)
{
  if (result == NULL)
    return;
  g_free (result->id);
  g_free (result->reason);
  g_free (result);
}

char *
clmrs_record_envelope_line (const ClmrsRecordHeader *header,
                            JsonNode                *body)
{
  g_autoptr(JsonBuilder) builder = json_builder_new ();
  g_autoptr(JsonNode) root = NULL;

  g_return_val_if_fail (body != NULL && JSON_NODE_HOLDS_OBJECT (body), NULL);

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "v");
  json_builder_add_int_value (builder, CLMRS_ENVELOPE_VERSION);
  json_builder_set_member_name (builder, "id");
  json_builder_add_string_value (builder, header->id);
  json_builder_set_member_name (builder, "type");
  json_builder_add_string_value (builder, clmrs_record_type_to_string (header->type));
  json_builder_set_member_name (builder, "rev");
  json_builder_add_int_value (builder, header->rev);
  json_builder_set_member_name (builder, "device_id");
  json_builder_add_string_value (builder, header->device_id);
  json_builder_set_member_name (builder, "author");
  json_builder_add_string_value (builder, header->author);
  json_builder_set_member_name (builder, "community_id");
  json_builder_add_string_value (builder, header->community_id);
  json_builder_set_member_name (builder, "created");
  json_builder_add_string_value (builder, header->created);
  json_builder_set_member_name (builder, "modified");
  json_builder_add_string_value (builder, header->modified);
  json_builder_set_member_name (builder, "schema");
  json_builder_add_string_value (builder, header->schema);
  json_builder_set_member_name (builder, "rules");
  if (header->rules != NULL)
    json_builder_add_string_value (builder, header->rules);
  else
    json_builder_add_null_value (builder);
  json_builder_set_member_name (builder, "body");
  json_builder_add_value (builder, body);
  json_builder_end_object (builder);

  root = json_builder_get_root (builder);
  return clmrs_json_to_string (root);
}

/* ---- NUL characters in JSON text ---------------------------------------- */

/* Longest member name a path quotes whole: the path is for an error
 * message, and a name is the sender's text. */
#define PATH_NAME_MAX 64

typedef struct {
  gboolean object;
  guint    index;      /* arrays: the element being read */
  gsize    path_len;   /* the path's length at the container */
} Container;

/* Skips the string at @p (its opening quote); sets @has_nul when it holds
 * a NUL, escaped or raw.  Returns: past the closing quote. */
static const char *
skip_string (const char *p,
             const char *end,
             gboolean   *has_nul)
{
  *has_nul = FALSE;
  for (p++; p < end && *p != '"'; p++)
    {
      if (*p == '\\' && p + 1 < end)
        {
          /* "\\u0000" is a backslash and "u0000": skipping the escaped
             character keeps the two apart */
          if (p[1] == 'u' && end - p >= 6 && memcmp (p + 2, "0000", 4) == 0)
            *has_nul = TRUE;
          p++;
        }
      else if (*p == '\0')
        *has_nul = TRUE;
    }
  return p < end ? p + 1 : end;
}

static void
append_member_name (GString    *path,
                    const char *name,
                    gsize       length)
{
  if (path->len > 0)
    g_string_append_c (path, '.');
  if (length <= PATH_NAME_MAX)
    {
      g_string_append_len (path, name, length);
      return;
    }
  /* cut at a character boundary */
  length = g_utf8_find_prev_char (name, name + PATH_NAME_MAX + 1) - name;
  g_string_append_len (path, name, length);
  g_string_append (path, "...");
}

/**
 * clmrs_json_text_find_nul:
 * @text: a valid JSON text (parse it first: an invalid one gives no
 *   meaningful path)
 * @path: (out) (transfer full): where the first such string is: member
 *   names as written, joined with '.', and [i] for array elements
 * @in_member_name: (out) (optional): whether it is a member name, @path
 *   then naming the object
 *
 * Returns: %TRUE when a string of @text holds a NUL character.
 */
gboolean
clmrs_json_text_find_nul (const char  *text,
                          gsize        length,
                          char       **path,
                          gboolean    *in_member_name)
{
  g_autoptr(GArray) stack = g_array_new (FALSE, FALSE, sizeof (Container));
  g_autoptr(GString) where = g_string_new (NULL);
  const char *p = text;
  const char *end = text + length;
  gboolean expect_name = FALSE;

  g_return_val_if_fail (text != NULL || length == 0, FALSE);
  g_return_val_if_fail (path != NULL, FALSE);

  *path = NULL;
  while (p < end)
    {
      Container *top = stack->len > 0 ? &g_array_index (stack, Container, stack->len - 1) : NULL;
      Container container = { 0 };
      const char *start;
      gboolean has_nul;

      switch (*p)
        {
        case '{':
        case '[':
          container.object = *p == '{';
          container.path_len = where->len;
          g_array_append_val (stack, container);
          if (container.object)
            expect_name = TRUE;
          else
            g_string_append (where, "[0]");
          p++;
          break;
        case '}':
        case ']':
          if (top != NULL)
            {
              g_string_truncate (where, top->path_len);
              g_array_set_size (stack, stack->len - 1);
            }
          p++;
          break;
        case ',':
          if (top != NULL)
            {
              g_string_truncate (where, top->path_len);
              if (top->object)
                expect_name = TRUE;
              else
                g_string_append_printf (where, "[%u]", ++top->index);
            }
          p++;
          break;
        case ':':
          expect_name = FALSE;
          p++;
          break;
        case '"':
          start = p;
          p = skip_string (p, end, &has_nul);
          if (has_nul)
            {
              if (top != NULL && top->object && expect_name)
                g_string_truncate (where, top->path_len);
              if (in_member_name != NULL)
                *in_member_name = top != NULL && top->object && expect_name;
              *path = g_string_free (g_steal_pointer (&where), FALSE);
              return TRUE;
            }
          if (top != NULL && top->object && expect_name)
            append_member_name (where, start + 1, (gsize) (p - start) - 2);
          break;
        default:
          /* numbers, literals, white space */
          p++;
        }
    }
  return FALSE;
}

/**
 * clmrs_json_error_describe:
 * @error: an error of json_parser_load_from_data()
 *
 * What was wrong and where, without the text json-glib quotes from the
 * input (a bad line may hold a child's name, which must not reach a log
 * or an error body).
 *
 * Returns: (transfer full): e.g. "column 19: unexpected identifier (...),
 *   expected value".
 */
char *
clmrs_json_error_describe (const GError *error)
{
  const char *colon, *what;
  guint line = 0, column = 0;
  GString *out = g_string_new (NULL);
  gboolean quoted = FALSE;

  g_return_val_if_fail (error != NULL, NULL);

  /* json-glib writes "<data>:LINE:COLUMN: Parse error: what, expected
   * what", quoting tokens of the input as "…" or `…' */
  colon = strchr (error->message, ':');
  if (colon != NULL && sscanf (colon, ":%u:%u", &line, &column) == 2 && column > 0)
    g_string_append_printf (out, "column %u: ", column);
  what = strstr (error->message, "Parse error: ");
  what = what != NULL ? what + strlen ("Parse error: ") : "parse error";
  for (const char *p = what; *p != '\0'; p++)
    {
      if (!quoted && (*p == '"' || *p == '`'))
        {
          quoted = TRUE;
          g_string_append (out, "(...)");
        }
      else if (quoted && (*p == '"' || *p == '\''))
        quoted = FALSE;
      else if (!quoted)
        g_string_append_c (out, *p);
    }
  return g_string_free (out, FALSE);
}

void
clmrs_json_set_nullable (JsonObject *object,
                         const char *name,
                         const char *value)
{
  if (value != NULL)
    json_object_set_string_member (object, name, value);
  else
    json_object_set_null_member (object, name);
}
