/* record.c: record envelopes, the unit that leaves the device (DESIGN sections 3 and 6). */
#define G_LOG_DOMAIN "clmrs-record"

#include "record.h"

static const char * const type_names[] = {
  [CLMRS_RECORD_COMMUNITY] = "community",
  [CLMRS_RECORD_HOUSEHOLD] = "household",
  [CLMRS_RECORD_CHILD] = "child",
  [CLMRS_RECORD_VISIT] = "visit",
  [CLMRS_RECORD_SUPPORT] = "support",
  [CLMRS_RECORD_AWARENESS_SESSION] = "awareness_session",
  [CLMRS_RECORD_REVIEW] = "review",
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

char *
clmrs_json_to_string (JsonNode *node)
{
  g_autoptr(JsonGenerator) generator = json_generator_new ();

  json_generator_set_root (generator, node);
  return json_generator_to_data (generator, NULL);
}

/**
 * clmrs_record_envelope_line:
 * @body: (transfer full): the type's body, a JSON object
 *
 * Returns: (transfer full): the envelope as one line of compact JSON, keys
 * in the order of docs/sync-protocol.md.
 */
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
