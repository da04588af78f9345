/* clmrs-household.h: one household in a list: a placeholder until its page is read. */
#pragma once

#include <glib-object.h>

#include "casebook.h"

G_BEGIN_DECLS

#define CLMRS_TYPE_HOUSEHOLD (clmrs_household_get_type ())

G_DECLARE_FINAL_TYPE (ClmrsHousehold, clmrs_household, CLMRS, HOUSEHOLD, GObject)

ClmrsHousehold *clmrs_household_new            (void);
/* Fills it from @item and notifies "loaded". */
void            clmrs_household_set_item       (ClmrsHousehold           *self,
                                                const ClmrsHouseholdItem *item);
gboolean        clmrs_household_get_loaded     (ClmrsHousehold           *self);
const char     *clmrs_household_get_id         (ClmrsHousehold           *self);
const char     *clmrs_household_get_head_name  (ClmrsHousehold           *self);
const char     *clmrs_household_get_community  (ClmrsHousehold           *self);
int             clmrs_household_get_n_children (ClmrsHousehold           *self);

G_END_DECLS
