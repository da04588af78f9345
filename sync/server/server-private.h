/* server-private.h: helpers the server's store files share (not for main.c). */
#pragma once

#include "server.h"
#include "record.h"
#include "store.h"

#include <json-glib/json-glib.h>

G_BEGIN_DECLS

char         *now_rfc3339   (void);

/* A line of the administrators' log: who did what to which record, and why. */
gboolean      server_db_log_admin (ServerDb    *db,
                                   const char  *action,
                                   const char  *target,
                                   const char  *detail,
                                   const char  *reason,
                                   GError     **error);

/* People (server-people.c): what enrolment and push ask about them. */
/* One person as devices receive them ({id, name, sex, role,
 * one_time_pin_hash, disabled}), from a row whose columns 0-3 are id,
 * name, sex and role; @hash_column holds the one-time PIN's hash (-1:
 * none is sent), @disabled_column whether they are disabled. */
void          server_people_add_json       (JsonBuilder  *b,
                                            ServerStmt *  stmt,
                                            int           hash_column,
                                            int           disabled_column);
gboolean      server_people_declare        (ServerDb     *db,
                                            const char   *device_id,
                                            JsonNode     *people,
                                            GError      **error);
gboolean      server_people_add_for_device (ServerDb     *db,
                                            const char   *device_id,
                                            JsonBuilder  *b,
                                            GError      **error);
gboolean      server_people_check_author   (ServerDb     *db,
                                            const char   *device_id,
                                            const char   *author,
                                            const char   *community_id,
                                            ClmrsRecordType type,
                                            char        **reason,
                                            GError      **error);

/* Applies the records after seq @after to a device store (server-derived.c). */
gboolean      server_replay_records        (ServerDb           *db,
                                            ClmrsStore         *store,
                                            gint64              after,
                                            gint64              generation,
                                            ServerProgressFunc  progress,
                                            gpointer            progress_data,
                                            GCancellable       *cancellable,
                                            guint64            *applied,
                                            GError            **error);

G_END_DECLS
