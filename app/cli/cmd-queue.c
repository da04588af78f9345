/* cmd-queue.c: `clmrs queue`, the unsynced records by facilitator. */
#define G_LOG_DOMAIN "clmrs"

#include "cli.h"

#include "outbox.h"
#include "record.h"
#include "store.h"
#include "syncstore.h"

#include <stdio.h>

static void
print_text (GPtrArray *rows)
{
  gint64 queued = 0, bytes = 0, rejected = 0;

  if (rows->len == 0)
    {
      printf ("Nothing waits to be synced.\n");
      return;
    }
  printf ("%-28s %7s  %-20s %10s %9s  %s\n",
          "facilitator", "queued", "oldest", "bytes", "rejected", "last error");
  for (guint i = 0; i < rows->len; i++)
    {
      const ClmrsQueueRow *r = g_ptr_array_index (rows, i);
      g_autofree char *size = g_format_size (r->bytes);

      g_autofree char *name = clmrs_cli_column (r->facilitator_name, 28);

      printf ("%s %7" G_GINT64_FORMAT "  %-20s %10s %9" G_GINT64_FORMAT "  %s\n",
              name, r->queued, r->oldest ? r->oldest : "-",
              size, r->rejected, r->last_error ? r->last_error : "-");
      for (guint j = 0; j < r->rejections->len; j++)
        {
          const ClmrsRejection *x = g_ptr_array_index (r->rejections, j);

          printf ("    rejected %s %s rev %" G_GINT64_FORMAT ": %s\n",
                  x->type, x->record_id, x->rev, x->reason);
        }
      queued += r->queued;
      bytes += r->bytes;
      rejected += r->rejected;
    }
  {
    g_autofree char *size = g_format_size (bytes);
    printf ("%-28s %7" G_GINT64_FORMAT "  %-20s %10s %9" G_GINT64_FORMAT "\n",
            "total", queued, "", size, rejected);
  }
}

/* Pulled records this device could not apply: they do not wait to be
 * sent, but someone must look at them. */
static void
print_set_aside (GPtrArray *aside)
{
  if (aside->len == 0)
    return;
  printf ("\n%u pulled record%s set aside (this device cannot apply %s; tried again at each sync):\n",
          aside->len, aside->len == 1 ? "" : "s", aside->len == 1 ? "it" : "them");
  for (guint i = 0; i < aside->len; i++)
    {
      const ClmrsSetAside *a = g_ptr_array_index (aside, i);

      printf ("    %s %s rev %" G_GINT64_FORMAT ", since %s: %s\n",
              a->type, a->record_id, a->rev, a->first_seen, a->reason);
    }
}

static JsonNode *
set_aside_to_json (GPtrArray *aside)
{
  g_autoptr(JsonBuilder) b = json_builder_new ();

  json_builder_begin_array (b);
  for (guint i = 0; i < aside->len; i++)
    {
      const ClmrsSetAside *a = g_ptr_array_index (aside, i);

      json_builder_begin_object (b);
      json_builder_set_member_name (b, "id");
      json_builder_add_string_value (b, a->record_id);
      json_builder_set_member_name (b, "type");
      json_builder_add_string_value (b, a->type);
      json_builder_set_member_name (b, "rev");
      json_builder_add_int_value (b, a->rev);
      json_builder_set_member_name (b, "reason");
      json_builder_add_string_value (b, a->reason);
      json_builder_set_member_name (b, "first_seen");
      json_builder_add_string_value (b, a->first_seen);
      json_builder_set_member_name (b, "attempts");
      json_builder_add_int_value (b, a->attempts);
      json_builder_end_object (b);
    }
  json_builder_end_array (b);
  return json_builder_get_root (b);
}

int
clmrs_cmd_queue (ClmrsCli  *cli,
                 int        argc,
                 char     **argv)
{
  gboolean json = FALSE;
  g_autoptr(ClmrsStore) store = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) rows = NULL;
  g_autoptr(GPtrArray) aside = NULL;
  GOptionEntry entries[] = {
    { "json", 0, 0, G_OPTION_ARG_NONE, &json, "Print JSON instead of a table", NULL },
    { NULL }
  };

  if (!clmrs_cli_parse ("queue", NULL,
                        "Shows what has not reached the server yet, by facilitator: how many\n"
                        "records are queued, the oldest, their size, and the records the\n"
                        "server rejected with its reasons (they stay on the device); then the\n"
                        "records pulled from the server that this device could not apply,\n"
                        "set aside with the reason (JSON: \"set_aside\").",
                        entries, &argc, &argv))
    return CLMRS_EXIT_USAGE;
  if (argc > 1)
    return clmrs_cli_fail (CLMRS_EXIT_USAGE, "queue: unexpected argument '%s'", argv[1]);

  store = clmrs_cli_open_existing (cli, &error);
  if (store == NULL)
    return clmrs_cli_fail (CLMRS_EXIT_FAILURE, "%s", error->message);
  rows = clmrs_outbox_queue_by_facilitator (store, &error);
  if (rows == NULL)
    return clmrs_cli_fail (CLMRS_EXIT_FAILURE, "queue: %s", error->message);
  aside = clmrs_pull_list_set_aside (store, &error);
  if (aside == NULL)
    return clmrs_cli_fail (CLMRS_EXIT_FAILURE, "queue: %s", error->message);

  if (json)
    {
      g_autoptr(JsonNode) node = clmrs_outbox_queue_to_json (rows);
      g_autofree char *text = NULL;

      json_object_set_member (json_node_get_object (node), "set_aside", set_aside_to_json (aside));
      text = clmrs_json_to_string (node);
      printf ("%s\n", text);
    }
  else
    {
      print_text (rows);
      print_set_aside (aside);
    }
  return CLMRS_EXIT_OK;
}
