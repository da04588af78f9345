/* clmrs-application.h: the clmrs-field application: options, settings, the database worker. */
#pragma once

#include <adwaita.h>

#include "clmrs-db-worker.h"

G_BEGIN_DECLS

#define CLMRS_TYPE_APPLICATION (clmrs_application_get_type ())

G_DECLARE_FINAL_TYPE (ClmrsApplication, clmrs_application, CLMRS, APPLICATION, AdwApplication)

ClmrsApplication *clmrs_application_new             (GApplicationFlags  flags);
/* The database: --db, else $CLMRS_DB, else $XDG_DATA_HOME/clmrs/device.db
 * (made empty when new); with --demo and no --db, $XDG_DATA_HOME/clmrs/demo.db. */
const char       *clmrs_application_get_db_path     (ClmrsApplication  *self);
void              clmrs_application_set_db_path     (ClmrsApplication  *self,
                                                     const char        *path);
/* --demo: the database is filled with demo data when it has none yet
 * (clmrs_demo_generate(), which refuses a real device's).  Off by default:
 * a device's first run never holds a made-up record. */
void              clmrs_application_set_demo        (ClmrsApplication  *self,
                                                     gboolean           demo);
gboolean          clmrs_application_get_demo        (ClmrsApplication  *self);
/* Households --demo makes (300; tests make it small). */
void              clmrs_application_set_demo_households (ClmrsApplication *self,
                                                         guint             households);
guint             clmrs_application_get_demo_households (ClmrsApplication *self);
GSettings        *clmrs_application_get_settings    (ClmrsApplication  *self);

/* Registers the app's GResource (templates, CSS, icons) once: call it
 * before making any widget of this library (tests do). */
void              clmrs_ui_init                     (void);

G_END_DECLS
