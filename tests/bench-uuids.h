/* bench-uuids.h: a template device's records copied as another device's, for the benchmarks. */
#pragma once

#include "store.h"
#include "syncstore.h"

#include <glib.h>
#include <string.h>

/* Rewrites every UUID in @text: the first 8 hex digits become @prefix
 * (or @community_prefix for the template's community ids). */
static inline char *
bench_remap_uuids (const char *text,
                   GHashTable *communities,
                   guint       prefix,
                   guint       community_prefix)
{
  GString *out = g_string_new (text);

  for (gsize i = 0; i + 36 <= out->len; i++)
    {
      char *p = out->str + i;
      char head[9];

      if (p[8] != '-' || p[13] != '-' || p[18] != '-' || p[23] != '-')
        continue;
      {
        g_autofree char *candidate = g_strndup (p, 36);

        if (!g_uuid_string_is_valid (candidate))
          continue;
        g_snprintf (head, sizeof head, "%08x",
                    g_hash_table_contains (communities, candidate) ? community_prefix : prefix);
      }
      memcpy (p, head, 8);
      i += 35;
    }
  return g_string_free (out, FALSE);
}

/* The template's queued records less supervisors' reviews (a review
 * needs a supervisor an administrator promoted) into @lines, its
 * community ids into @communities and (when not NULL) @community_list. */
static inline gboolean
bench_template_records (ClmrsStore  *template,
                        GPtrArray   *lines,
                        GHashTable  *communities,
                        GPtrArray   *community_list,
                        GError     **error)
{
  g_autoptr(GPtrArray) out = clmrs_outbox_next_batch (template, G_MAXSIZE, G_MAXUINT, error);
  sqlite3_stmt *stmt;

  if (out == NULL)
    return FALSE;
  g_ptr_array_set_free_func (out, (GDestroyNotify) clmrs_outgoing_free);
  for (guint i = 0; i < out->len; i++)
    {
      ClmrsOutgoing *o = g_ptr_array_index (out, i);

      if (strstr (o->line, "\"type\":\"review\"") == NULL)
        g_ptr_array_add (lines, g_strdup (o->line));
    }
  stmt = clmrs_store_prepare (template, "SELECT id FROM communities", error);
  if (stmt == NULL)
    return FALSE;
  while (sqlite3_step (stmt) == SQLITE_ROW)
    {
      g_hash_table_add (communities, g_strdup ((const char *) sqlite3_column_text (stmt, 0)));
      if (community_list != NULL)
        g_ptr_array_add (community_list, g_strdup ((const char *) sqlite3_column_text (stmt, 0)));
    }
  sqlite3_finalize (stmt);
  return TRUE;
}
