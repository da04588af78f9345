/* store-test-helpers.h: what the core's store test programs share (a store in a temporary folder, reading a value back). */
#pragma once

#include <glib/gstdio.h>
#include <string.h>

#include "demo.h"
#include "store.h"
#include "syncstore.h"

/* A store in a folder of its own, removed with the folder. */
typedef struct {
  char       *dir;
  char       *path;
  ClmrsStore *store;
} TestStore;

static inline void
test_store_open (TestStore  *t,
                 const char *name)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *template = g_strdup_printf ("clmrs-%s-XXXXXX", name);

  t->dir = g_dir_make_tmp (template, &error);
  g_assert_no_error (error);
  t->path = g_build_filename (t->dir, "device.db", NULL);
  t->store = clmrs_store_open (t->path, &error);
  g_assert_no_error (error);
}

/* As test_store_open(), filled by clmrs_demo_generate() with @households
 * households from @seed over the year to 2026-06-30. */
static inline void
test_store_open_demo (TestStore  *t,
                      const char *name,
                      guint       households,
                      guint32     seed)
{
  g_autoptr(GError) error = NULL;
  ClmrsDemoOptions options = { .households = households, .seed = seed, .until = "2026-06-30", .months = 12 };
  ClmrsDemoReport report = { 0 };

  test_store_open (t, name);
  g_assert_true (clmrs_demo_generate (t->store, &options, &report, &error));
  g_assert_no_error (error);
}

static inline void
test_store_close (TestStore *t)
{
  g_autoptr(GDir) dir = NULL;
  const char *name;

  g_clear_pointer (&t->store, clmrs_store_close);
  dir = g_dir_open (t->dir, 0, NULL);
  while (dir != NULL && (name = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *path = g_build_filename (t->dir, name, NULL);

      g_unlink (path);
    }
  g_rmdir (t->dir);
  g_clear_pointer (&t->dir, g_free);
  g_clear_pointer (&t->path, g_free);
}

/* The first column of the first row of @sql (with @arg as ?1 when not
 * NULL), or NULL when there is no row or it is SQL NULL. */
static inline char *
test_query_text (ClmrsStore *store,
                 const char *sql,
                 const char *arg)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(sqlite3_stmt) stmt = clmrs_store_prepare (store, sql, &error);
  ClmrsStep step;

  g_assert_no_error (error);
  if (arg != NULL)
    sqlite3_bind_text (stmt, 1, arg, -1, SQLITE_TRANSIENT);
  step = clmrs_store_step (store, stmt, &error);
  g_assert_no_error (error);
  return step == CLMRS_STEP_ROW ? clmrs_store_column_dup (stmt, 0) : NULL;
}

static inline gint64
test_query_int (ClmrsStore *store,
                const char *sql,
                const char *arg)
{
  g_autofree char *text = test_query_text (store, sql, arg);

  g_assert_nonnull (text);
  return g_ascii_strtoll (text, NULL, 10);
}

/* clmrs_outbox_count_queued(), asserting the store could count. */
static inline gint64
test_outbox_queued (ClmrsStore *store)
{
  g_autoptr(GError) error = NULL;
  gint64 n = -1;
  gboolean ok = clmrs_outbox_count_queued (store, &n, &error);

  g_assert_no_error (error);
  g_assert_true (ok);
  return n;
}

static const char *test_failing_sql;

static inline int
test_interrupt_cb (void *data)
{
  sqlite3 *db = data;

  for (sqlite3_stmt *stmt = sqlite3_next_stmt (db, NULL); stmt != NULL; stmt = sqlite3_next_stmt (db, stmt))
    if (sqlite3_stmt_busy (stmt) && strstr (sqlite3_sql (stmt), test_failing_sql) != NULL)
      return 1;
  return 0;
}

/* Makes the statements of @store whose SQL holds @sql ("" for every one;
 * NULL to stop) fail when stepped (SQLITE_INTERRUPT), as a failing disk
 * or a corrupt page would: what reads "absent" then was a step failure
 * taken for no row. */
static inline void
test_store_fail_statements (ClmrsStore *store,
                            const char *sql)
{
  sqlite3 *db = clmrs_store_get_db (store);

  test_failing_sql = sql;
  sqlite3_progress_handler (db, sql != NULL ? 1 : 0, sql != NULL ? test_interrupt_cb : NULL, db);
}
