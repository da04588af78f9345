/* clmrs-household.c: one household in a list: a placeholder until its page is read. */
#define G_LOG_DOMAIN "clmrs-household"

#include "clmrs-household.h"

struct _ClmrsHousehold
{
  GObject   parent_instance;

  /* Owned references */
  char     *id;
  char     *head_name;
  char     *community;
  int       n_children;
  gboolean  loaded;
};

G_DEFINE_FINAL_TYPE (ClmrsHousehold, clmrs_household, G_TYPE_OBJECT)

enum {
  PROP_0,
  PROP_LOADED,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

ClmrsHousehold *
clmrs_household_new (void)
{
  return g_object_new (CLMRS_TYPE_HOUSEHOLD, NULL);
}

void
clmrs_household_set_item (ClmrsHousehold           *self,
                          const ClmrsHouseholdItem *item)
{
  g_return_if_fail (CLMRS_IS_HOUSEHOLD (self));
  g_return_if_fail (item != NULL);

  g_free (self->id);
  self->id = g_strdup (item->id);
  g_free (self->head_name);
  self->head_name = g_strdup (item->head_name);
  g_free (self->community);
  self->community = g_strdup (item->community);
  self->n_children = item->n_children;
  self->loaded = TRUE;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_LOADED]);
}

gboolean
clmrs_household_get_loaded (ClmrsHousehold *self)
{
  g_return_val_if_fail (CLMRS_IS_HOUSEHOLD (self), FALSE);
  return self->loaded;
}

const char *
clmrs_household_get_id (ClmrsHousehold *self)
{
  g_return_val_if_fail (CLMRS_IS_HOUSEHOLD (self), NULL);
  return self->id;
}

const char *
clmrs_household_get_head_name (ClmrsHousehold *self)
{
  g_return_val_if_fail (CLMRS_IS_HOUSEHOLD (self), NULL);
  return self->head_name;
}

const char *
clmrs_household_get_community (ClmrsHousehold *self)
{
  g_return_val_if_fail (CLMRS_IS_HOUSEHOLD (self), NULL);
  return self->community;
}

int
clmrs_household_get_n_children (ClmrsHousehold *self)
{
  g_return_val_if_fail (CLMRS_IS_HOUSEHOLD (self), 0);
  return self->n_children;
}

static void
clmrs_household_get_property (GObject    *object,
                              guint       prop_id,
                              GValue     *value,
                              GParamSpec *pspec)
{
  ClmrsHousehold *self = CLMRS_HOUSEHOLD (object);

  switch (prop_id)
    {
    case PROP_LOADED:
      g_value_set_boolean (value, self->loaded);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
clmrs_household_finalize (GObject *object)
{
  ClmrsHousehold *self = (ClmrsHousehold *) object;

  g_free (self->id);
  g_free (self->head_name);
  g_free (self->community);

  G_OBJECT_CLASS (clmrs_household_parent_class)->finalize (object);
}

static void
clmrs_household_class_init (ClmrsHouseholdClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->finalize = clmrs_household_finalize;
  object_class->get_property = clmrs_household_get_property;

  properties[PROP_LOADED] =
    g_param_spec_boolean ("loaded", NULL, NULL, FALSE,
                          G_PARAM_READABLE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);
  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
clmrs_household_init (ClmrsHousehold *self)
{
}
