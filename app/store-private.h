/* store-private.h: what the core's modules and the store's tests share: migrations step by step, steps inside a transaction. */
#pragma once

#include "store.h"

G_BEGIN_DECLS

/* What the store's files share (store.c, store-migrations.c,
 * store-people.c, store-drafts.c): SQLite's message as a
 * CLMRS_STORE_ERROR_SQLITE (always FALSE), statements run whole, the
 * schema's version (-1 on error). */
gboolean     _clmrs_store_sqlite_error      (GError      **error,
                                             sqlite3      *db,
                                             const char   *what);
gboolean     _clmrs_store_exec_db           (sqlite3      *db,
                                             const char   *sql,
                                             GError      **error);
int          _clmrs_store_user_version      (sqlite3      *db);

/* Migrates a database from its version to @target: clmrs_store_open()
 * to the newest, tests step by step. */
gboolean     clmrs_store_migrate_db         (sqlite3      *db,
                                             int           target,
                                             GError      **error);

/* Steps @stmt once: the text of its first column in @value, NULL when
 * there is no row (or it is NULL); FALSE with @error on a failed step. */
gboolean _clmrs_store_step_text (ClmrsStore    *store,
                                 sqlite3_stmt  *stmt,
                                 char         **value,
                                 GError       **error);

/* Inside clmrs_store_begin(): replaces every saved answer of the draft
 * @visit_id with @values (element-type ClmrsFormValue), and notes when it
 * changed.  Errors: CLMRS_STORE_ERROR_NOT_FOUND, _STATE (not a draft). */
gboolean _clmrs_store_draft_replace_answers (ClmrsStore  *store,
                                             const char  *visit_id,
                                             GPtrArray   *values,
                                             GError     **error);

/* Appends to @ids (element-type utf8) the id of every child of
 * @household_id: whose cases a household-level record touches. */
gboolean _clmrs_store_list_household_children (ClmrsStore  *store,
                                               const char  *household_id,
                                               GPtrArray   *ids,
                                               GError     **error);

G_END_DECLS
