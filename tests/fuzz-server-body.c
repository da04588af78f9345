/* fuzz-server-body.c: libFuzzer target over what clmrs-server parses from a push body:
 * gzip (bounded), NDJSON lines, JSON, envelopes, canonical JSON; and the
 * client's parsers of push responses and error bodies. */
#include "wire.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput (const uint8_t *data,
                            size_t         size);

/* Each line of @text as an envelope; for a valid one, its canonical form
 * must parse to itself (same bytes, same hash). */
static void
parse_lines (const char *text,
             gsize       length)
{
  ClmrsNdjsonReader reader;
  const char *line;
  gsize line_length;
  guint line_no;

  clmrs_ndjson_reader_init (&reader, text, length);
  while (clmrs_ndjson_reader_next (&reader, &line, &line_length, &line_no))
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(ClmrsEnvelope) env = clmrs_envelope_parse (line, line_length, line_no, &error);
      g_autoptr(JsonNode) node = NULL;
      g_autoptr(JsonNode) again = NULL;
      g_autofree char *canonical = NULL;
      g_autofree char *canonical2 = NULL;
      gsize n;

      if (env == NULL)
        {
          if (error == NULL || strncmp (error->message, "line ", 5) != 0)
            abort ();
          continue;
        }
      node = clmrs_wire_parse_json (line, line_length, line_no, NULL);
      if (node == NULL)
        abort ();
      canonical = clmrs_json_canonical (node, &n);
      again = clmrs_wire_parse_json (canonical, n, 1, NULL);
      if (again == NULL)
        abort ();
      canonical2 = clmrs_json_canonical (again, NULL);
      if (strcmp (canonical, canonical2) != 0)
        abort ();
      {
        g_autofree char *hash = clmrs_json_canonical_sha256 (again);
        ClmrsRecordHeader header;
        JsonNode *body = json_node_new (JSON_NODE_OBJECT);
        g_autofree char *device = NULL;
        g_autoptr(ClmrsEnvelope) back = NULL;

        if (strcmp (hash, env->sha256) != 0)
          abort ();
        /* What a device would write for it (its one envelope writer)
           parses back to the same content hash. */
        clmrs_envelope_get_header (env, &header);
        json_node_set_object (body, env->body);
        device = clmrs_record_envelope_line (&header, body);
        back = clmrs_envelope_parse (device, strlen (device), 1, NULL);
        if (back == NULL || strcmp (back->sha256, env->sha256) != 0)
          abort ();
      }
    }
}

int
LLVMFuzzerTestOneInput (const uint8_t *data,
                        size_t         size)
{
  g_autoptr(GBytes) inflated = NULL;
  g_autoptr(GError) error = NULL;

  /* As the server does: inflate with a bound, then read the lines. */
  inflated = clmrs_gzip_decompress (data, size, 1024 * 1024, &error);
  if (inflated != NULL)
    {
      gsize n;
      const char *text = g_bytes_get_data (inflated, &n);

      if (n > 1024 * 1024)
        abort ();
      parse_lines (n > 0 ? text : "", n);
    }
  else if (error == NULL)
    abort ();

  /* And the same bytes as an uncompressed body. */
  parse_lines ((const char *) data, size);

  /* And as what a client reads back from a server. */
  {
    g_autoptr(GPtrArray) results = clmrs_push_response_parse ((const char *) data, size, NULL, NULL);
    g_autofree char *code = NULL;
    g_autofree char *message = NULL;

    for (guint i = 0; results != NULL && i < results->len; i++)
      {
        ClmrsPushResult *r = results->pdata[i];

        if (r->id == NULL || clmrs_push_outcome_to_string (r->outcome) == NULL)
          abort ();
      }
    if (clmrs_wire_error_parse ((const char *) data, size, &code, &message) && (code == NULL || message == NULL))
      abort ();
  }
  return 0;
}
