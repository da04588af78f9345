/* clmrs-household-model.c: a GListModel of every household matching a search, read a page at a time. */
#define G_LOG_DOMAIN "clmrs-household-model"

#include "clmrs-household-model.h"

/*
 * The list view asks only for the rows it shows; each asks for its page
 * once.  So scrolling 20,000 households reads a few pages, never the whole
 * table, and the main loop never waits for the database.
 */

enum {
  PAGE_UNREAD,
  PAGE_READING,
  PAGE_READ,
};

struct _ClmrsHouseholdModel
{
  GObject        parent_instance;

  /* Owned references */
  ClmrsDbWorker *worker;
  GCancellable  *cancellable;
  char          *prefix;
  GPtrArray     *items;       /* of ClmrsHousehold, NULL until asked for */
  GByteArray    *pages;       /* PAGE_* */
  guint          n_reading;
};

static void clmrs_household_model_list_model_init (GListModelInterface *iface);

G_DEFINE_FINAL_TYPE_WITH_CODE (ClmrsHouseholdModel, clmrs_household_model, G_TYPE_OBJECT,
                               G_IMPLEMENT_INTERFACE (G_TYPE_LIST_MODEL, clmrs_household_model_list_model_init))

enum {
  PROP_0,
  PROP_LOADING,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

typedef struct {
  ClmrsHouseholdModel *self;
  guint                page;
  gboolean             first;   /* the search's first page: it sets the size */
} PageRequest;

static void
unref_household (gpointer household)
{
  if (household != NULL)
    g_object_unref (household);
}

static void request_page (ClmrsHouseholdModel *self,
                          guint                page,
                          gboolean             first);

static void
set_reading (ClmrsHouseholdModel *self,
             int                  delta)
{
  gboolean was = self->n_reading > 0;

  self->n_reading += delta;
  if (was != (self->n_reading > 0))
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_LOADING]);
}

static void
page_cb (GObject      *source,
         GAsyncResult *result,
         gpointer      user_data)
{
  PageRequest *request = user_data;
  g_autoptr(ClmrsHouseholdModel) self = request->self;
  g_autoptr(GPtrArray) found = NULL;
  g_autoptr(GError) error = NULL;
  guint page = request->page;
  gboolean first = request->first;
  guint n_matching = 0;

  g_free (request);
  found = clmrs_db_worker_search_households_finish (CLMRS_DB_WORKER (source), result, &n_matching, &error);
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;
  set_reading (self, -1);
  if (found == NULL)
    {
      g_warning ("Could not read households: %s", error->message);
      if (!first && page < self->pages->len)
        self->pages->data[page] = PAGE_UNREAD;
      return;
    }

  if (first)
    {
      guint removed = self->items->len;

      g_ptr_array_set_size (self->items, 0);
      g_ptr_array_set_size (self->items, n_matching);
      g_byte_array_set_size (self->pages, (n_matching + CLMRS_HOUSEHOLD_PAGE_SIZE - 1) / CLMRS_HOUSEHOLD_PAGE_SIZE);
      /* none (a new device): data is NULL, which memset may not be given */
      if (self->pages->len > 0)
        {
          memset (self->pages->data, PAGE_UNREAD, self->pages->len);
          self->pages->data[0] = PAGE_READ;
        }
      for (guint i = 0; i < found->len && i < n_matching; i++)
        {
          ClmrsHousehold *household = clmrs_household_new ();

          clmrs_household_set_item (household, g_ptr_array_index (found, i));
          self->items->pdata[i] = household;
        }
      g_list_model_items_changed (G_LIST_MODEL (self), 0, removed, n_matching);
      return;
    }

  if (page >= self->pages->len)
    return;
  self->pages->data[page] = PAGE_READ;
  for (guint i = 0; i < found->len; i++)
    {
      guint position = page * CLMRS_HOUSEHOLD_PAGE_SIZE + i;
      ClmrsHousehold *household;

      if (position >= self->items->len)
        break;
      household = self->items->pdata[position];
      if (household == NULL)
        self->items->pdata[position] = household = clmrs_household_new ();
      clmrs_household_set_item (household, g_ptr_array_index (found, i));
    }
}

static void
request_page (ClmrsHouseholdModel *self,
              guint                page,
              gboolean             first)
{
  PageRequest *request = g_new0 (PageRequest, 1);

  request->self = g_object_ref (self);
  request->page = page;
  request->first = first;
  if (!first)
    self->pages->data[page] = PAGE_READING;
  set_reading (self, +1);
  clmrs_db_worker_search_households_async (self->worker, self->prefix,
                                           page * CLMRS_HOUSEHOLD_PAGE_SIZE,
                                           CLMRS_HOUSEHOLD_PAGE_SIZE,
                                           self->cancellable, page_cb, request);
}

void
clmrs_household_model_search (ClmrsHouseholdModel *self,
                              const char          *prefix)
{
  g_return_if_fail (CLMRS_IS_HOUSEHOLD_MODEL (self));

  clmrs_household_model_stop (self);
  g_free (self->prefix);
  self->prefix = g_strdup (prefix ? prefix : "");
  request_page (self, 0, TRUE);
}

void
clmrs_household_model_stop (ClmrsHouseholdModel *self)
{
  g_return_if_fail (CLMRS_IS_HOUSEHOLD_MODEL (self));

  g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  self->cancellable = g_cancellable_new ();
  for (guint i = 0; i < self->pages->len; i++)
    if (self->pages->data[i] == PAGE_READING)
      self->pages->data[i] = PAGE_UNREAD;
  if (self->n_reading > 0)
    set_reading (self, - (int) self->n_reading);
}

gboolean
clmrs_household_model_is_loading (ClmrsHouseholdModel *self)
{
  g_return_val_if_fail (CLMRS_IS_HOUSEHOLD_MODEL (self), FALSE);

  return self->n_reading > 0;
}

static GType
clmrs_household_model_get_item_type (GListModel *model)
{
  return CLMRS_TYPE_HOUSEHOLD;
}

static guint
clmrs_household_model_get_n_items (GListModel *model)
{
  return CLMRS_HOUSEHOLD_MODEL (model)->items->len;
}

static gpointer
clmrs_household_model_get_item (GListModel *model,
                                guint       position)
{
  ClmrsHouseholdModel *self = CLMRS_HOUSEHOLD_MODEL (model);
  guint page = position / CLMRS_HOUSEHOLD_PAGE_SIZE;

  if (position >= self->items->len)
    return NULL;
  if (self->items->pdata[position] == NULL)
    self->items->pdata[position] = clmrs_household_new ();
  if (page < self->pages->len && self->pages->data[page] == PAGE_UNREAD)
    request_page (self, page, FALSE);
  return g_object_ref (self->items->pdata[position]);
}

static void
clmrs_household_model_list_model_init (GListModelInterface *iface)
{
  iface->get_item_type = clmrs_household_model_get_item_type;
  iface->get_n_items = clmrs_household_model_get_n_items;
  iface->get_item = clmrs_household_model_get_item;
}

static void
clmrs_household_model_get_property (GObject    *object,
                                    guint       prop_id,
                                    GValue     *value,
                                    GParamSpec *pspec)
{
  ClmrsHouseholdModel *self = CLMRS_HOUSEHOLD_MODEL (object);

  switch (prop_id)
    {
    case PROP_LOADING:
      g_value_set_boolean (value, self->n_reading > 0);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
clmrs_household_model_dispose (GObject *object)
{
  ClmrsHouseholdModel *self = (ClmrsHouseholdModel *) object;

  g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  g_clear_object (&self->worker);

  G_OBJECT_CLASS (clmrs_household_model_parent_class)->dispose (object);
}

static void
clmrs_household_model_finalize (GObject *object)
{
  ClmrsHouseholdModel *self = (ClmrsHouseholdModel *) object;

  g_ptr_array_unref (self->items);
  g_byte_array_unref (self->pages);
  g_free (self->prefix);

  G_OBJECT_CLASS (clmrs_household_model_parent_class)->finalize (object);
}

static void
clmrs_household_model_class_init (ClmrsHouseholdModelClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = clmrs_household_model_dispose;
  object_class->finalize = clmrs_household_model_finalize;
  object_class->get_property = clmrs_household_model_get_property;

  properties[PROP_LOADING] =
    g_param_spec_boolean ("loading", NULL, NULL, FALSE,
                          G_PARAM_READABLE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);
  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
clmrs_household_model_init (ClmrsHouseholdModel *self)
{
  self->items = g_ptr_array_new_with_free_func (unref_household);
  self->pages = g_byte_array_new ();
  self->cancellable = g_cancellable_new ();
}

ClmrsHouseholdModel *
clmrs_household_model_new (ClmrsDbWorker *worker)
{
  ClmrsHouseholdModel *self;

  g_return_val_if_fail (CLMRS_IS_DB_WORKER (worker), NULL);

  self = g_object_new (CLMRS_TYPE_HOUSEHOLD_MODEL, NULL);
  self->worker = g_object_ref (worker);
  return self;
}
