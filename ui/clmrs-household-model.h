/* clmrs-household-model.h: a GListModel of every household matching a search, read a page at a time. */
#pragma once

#include <gio/gio.h>

#include "clmrs-db-worker.h"
#include "clmrs-household.h"

G_BEGIN_DECLS

#define CLMRS_TYPE_HOUSEHOLD_MODEL (clmrs_household_model_get_type ())

G_DECLARE_FINAL_TYPE (ClmrsHouseholdModel, clmrs_household_model, CLMRS, HOUSEHOLD_MODEL, GObject)

/* Rows asked for by the list view are ClmrsHousehold placeholders until
 * their page of CLMRS_HOUSEHOLD_PAGE_SIZE arrives from the worker. */
#define CLMRS_HOUSEHOLD_PAGE_SIZE 50

ClmrsHouseholdModel *clmrs_household_model_new        (ClmrsDbWorker       *worker);
/* Starts a new search; "items-changed" follows when its first page is read. */
void                 clmrs_household_model_search     (ClmrsHouseholdModel *self,
                                                       const char          *prefix);
/* TRUE while a page is being read. */
gboolean             clmrs_household_model_is_loading (ClmrsHouseholdModel *self);
/* Stops every read under way. */
void                 clmrs_household_model_stop       (ClmrsHouseholdModel *self);

G_END_DECLS
