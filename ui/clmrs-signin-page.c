/* clmrs-signin-page.c: pick your name, then type your PIN on a large keypad (or choose it, the first time). */
#define G_LOG_DOMAIN "clmrs-signin-page"

#include "config.h"

#include "clmrs-signin-page.h"
#include "client.h"
#include "device.h"
#include "pin.h"

#include <glib/gi18n.h>

#define MAX_PIN_DIGITS CLMRS_PIN_MAX_DIGITS

/* What the keypad is typing. */
typedef enum {
  MODE_SIGN_IN,   /* the person's PIN, or the one-time PIN the server gave */
  MODE_CHOOSE,    /* a first sign-in: their own new PIN */
  MODE_CONFIRM,   /* the new PIN again */
} Mode;

struct _ClmrsSigninPage
{
  AdwBin          parent_instance;

  /* Template widgets */
  AdwLeaflet     *leaflet;
  GtkListBox     *people_list;
  AdwAvatar      *avatar;
  GtkLabel       *name_label;
  GtkLabel       *dots_label;
  GtkLabel       *message_label;
  GtkGrid        *keypad;

  /* Owned references */
  ClmrsDbWorker  *worker;
  GPtrArray      *people;       /* of ClmrsPerson */
  GString        *pin;
  GString        *one_time;     /* the one-time PIN that signed in, until the person's own is saved */
  GString        *first;        /* the new PIN typed once, until typed again */
  GCancellable   *cancellable;  /* the PIN check under way */

  /* Borrowed references */
  ClmrsPerson    *person;       /* the one chosen, in people */

  gboolean        error_shown;  /* the message is an error, until the next key */
  gboolean        migrating;    /* one_time holds the old PIN of a plain database, too short now */
  Mode            mode;
};

G_DEFINE_FINAL_TYPE (ClmrsSigninPage, clmrs_signin_page, ADW_TYPE_BIN)

enum {
  SIGNED_IN,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

static void
show_dots (ClmrsSigninPage *self)
{
  g_autoptr(GString) dots = g_string_new (NULL);

  for (gsize i = 0; i < self->pin->len; i++)
    g_string_append (dots, i ? " ●" : "●");
  gtk_label_set_label (self->dots_label, dots->len ? dots->str : " ");
}

static void
set_message (ClmrsSigninPage *self,
             const char      *text,
             gboolean         error)
{
  gtk_label_set_label (self->message_label, text);
  self->error_shown = error;
  if (error)
    {
      gtk_widget_remove_css_class (GTK_WIDGET (self->message_label), "dim-label");
      gtk_widget_add_css_class (GTK_WIDGET (self->message_label), "error");
    }
  else
    {
      gtk_widget_remove_css_class (GTK_WIDGET (self->message_label), "error");
      gtk_widget_add_css_class (GTK_WIDGET (self->message_label), "dim-label");
    }
}

/* Wipes the digits, not just forgets them. */
static void
wipe (GString *digits)
{
  memset (digits->str, 0, digits->len);
  g_string_truncate (digits, 0);
}

static void
clear_pin (ClmrsSigninPage *self)
{
  wipe (self->pin);
  show_dots (self);
}

/* What the keypad asks for now. */
static char *
prompt (ClmrsSigninPage *self)
{
  switch (self->mode)
    {
    case MODE_CHOOSE:
      if (self->migrating)
        /* Translators: signing in on a device made before PINs had 6 digits; %d is 6 */
        return g_strdup_printf (_("PINs have at least %d digits now: choose a new one"), CLMRS_PIN_MIN_DIGITS);
      if (self->one_time->len > 0)
        /* Translators: after signing in with the one-time PIN; %d is 6 */
        return g_strdup_printf (_("Now choose your own PIN: at least %d digits"), CLMRS_PIN_MIN_DIGITS);
      /* Translators: the first sign-in of a person with no PIN yet; %d is 6 */
      return g_strdup_printf (_("Choose your own PIN: at least %d digits"), CLMRS_PIN_MIN_DIGITS);
    case MODE_CONFIRM:
      return g_strdup (_("Type the same PIN again"));
    case MODE_SIGN_IN:
    default:
      if (self->person != NULL && self->person->pin_state == CLMRS_PIN_STATE_ONE_TIME)
        return g_strdup (_("Type the one-time PIN you were given"));
      return g_strdup (_("Type your PIN"));
    }
}

static void
show_prompt (ClmrsSigninPage *self)
{
  g_autofree char *text = prompt (self);

  set_message (self, text, FALSE);
}

/* Back to typing @mode, every PIN of a first sign-in forgotten when
 * signing in again. */
static void
set_mode (ClmrsSigninPage *self,
          Mode             mode)
{
  self->mode = mode;
  if (mode == MODE_SIGN_IN)
    {
      self->migrating = FALSE;
      wipe (self->one_time);
      wipe (self->first);
    }
  else if (mode == MODE_CHOOSE)
    wipe (self->first);
  clear_pin (self);
  show_prompt (self);
}

/* The PIN typed (the one-time PIN, or an old one too short) is kept for
 * the worker; the person chooses their own now. */
static void
keep_typed_then_choose (ClmrsSigninPage *self)
{
  g_string_assign (self->one_time, self->pin->str);
  self->mode = MODE_CHOOSE;
  wipe (self->first);
  clear_pin (self);
  show_prompt (self);
}

static void
signed_in (ClmrsSigninPage *self)
{
  set_mode (self, MODE_SIGN_IN);
  if (self->person != NULL)
    g_signal_emit (self, signals[SIGNED_IN], 0, self->person->id, self->person->name,
                   self->person->sex, self->person->supervisor);
}

/* The keypad was insensitive while the worker ran and lost the focus:
 * give it back, or a hardware keyboard's digits go nowhere. */
static void
keypad_back (ClmrsSigninPage *self)
{
  g_clear_object (&self->cancellable);
  gtk_widget_set_sensitive (GTK_WIDGET (self->keypad), TRUE);
  gtk_widget_grab_focus (GTK_WIDGET (self->keypad));
}

/* The person as the database knows them, once signed in: the keyring
 * listed only names. */
static void
update_person (ClmrsSigninPage   *self,
               const ClmrsPerson *known)
{
  if (self->person == NULL || known == NULL)
    return;
  g_free (self->person->sex);
  self->person->sex = g_strdup (known->sex);
  self->person->supervisor = known->supervisor;
  if (known->name != NULL)
    {
      g_free (self->person->name);
      self->person->name = g_strdup (known->name);
    }
}

static void
people_again_cb (GObject      *source,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  g_autoptr(ClmrsSigninPage) self = user_data;
  g_autoptr(GPtrArray) people = clmrs_db_worker_list_people_finish (CLMRS_DB_WORKER (source), result, NULL);

  if (people != NULL)
    clmrs_signin_page_set_people (self, people);
}

static void
check_pin_cb (GObject      *source,
              GAsyncResult *result,
              gpointer      user_data)
{
  g_autoptr(ClmrsSigninPage) self = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(ClmrsPerson) known = NULL;

  known = clmrs_db_worker_check_pin_finish (CLMRS_DB_WORKER (source), result, &error);
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;
  keypad_back (self);
  if (known == NULL)
    {
      /* a plain database whose PIN is too short to wrap the key: the
         old PIN signed in, a new one encrypts it */
      if (g_error_matches (error, CLMRS_DEVICE_ERROR, CLMRS_DEVICE_ERROR_NEW_PIN))
        {
          self->migrating = TRUE;
          keep_typed_then_choose (self);
          return;
        }
      clear_pin (self);
      /* the server's people arrived since the list was made: none yet */
      if (g_error_matches (error, CLMRS_STORE_ERROR, CLMRS_STORE_ERROR_PIN_NOT_SET))
        {
          if (self->person != NULL)
            self->person->pin_state = CLMRS_PIN_STATE_NONE;
          set_mode (self, MODE_CHOOSE);
        }
      else if (g_error_matches (error, CLMRS_STORE_ERROR, CLMRS_STORE_ERROR_PIN))
        set_message (self, _("Wrong PIN. Try again."), TRUE);
      else
        set_message (self, error->message, TRUE);
      /* the keyring counted it: the names show who must wait */
      if (error->domain == CLMRS_KEYRING_ERROR && self->worker != NULL)
        clmrs_db_worker_list_people_async (self->worker, NULL, people_again_cb, g_object_ref (self));
      return;
    }
  update_person (self, known);
  /* the one-time PIN signs in once: the person chooses their own now */
  if (self->person != NULL && self->person->pin_state == CLMRS_PIN_STATE_ONE_TIME)
    {
      keep_typed_then_choose (self);
      return;
    }
  signed_in (self);
}

static void
set_own_pin_cb (GObject      *source,
                GAsyncResult *result,
                gpointer      user_data)
{
  g_autoptr(ClmrsSigninPage) self = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(ClmrsPerson) known = NULL;

  known = clmrs_db_worker_set_own_pin_finish (CLMRS_DB_WORKER (source), result, &error);
  if (known == NULL)
    {
      if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        return;
      keypad_back (self);
      /* a first sign-in online: the server said no, or could not be asked */
      if (error->domain == CLMRS_SYNC_ERROR)
        {
          g_debug ("First sign-in with a one-time PIN: %s", error->message);
          set_mode (self, MODE_SIGN_IN);
          set_message (self, g_error_matches (error, CLMRS_SYNC_ERROR, CLMRS_SYNC_ERROR_WRONG_PIN)
                             ? _("Wrong one-time PIN, or none waits for you here: check it with your supervisor.")
                             : _("The server could not be reached. A first sign-in with a one-time PIN needs it: try again where the device can sync."),
                       TRUE);
          return;
        }
      set_mode (self, self->migrating ? MODE_SIGN_IN : MODE_CHOOSE);
      if (g_error_matches (error, CLMRS_KEYRING_ERROR, CLMRS_KEYRING_ERROR_WEAK_PIN))
        set_message (self, _("This PIN is too easy to guess (one digit repeated, or a run like 123456). Choose another."), TRUE);
      else
        set_message (self, error->message, TRUE);
      return;
    }
  keypad_back (self);
  update_person (self, known);
  if (self->person != NULL)
    self->person->pin_state = CLMRS_PIN_STATE_SET;
  signed_in (self);
}

/* What shows while the worker checks: the first sign-in on a plain
 * database also encrypts it, which takes a while on a big one. */
static const char *
checking_text (ClmrsSigninPage *self)
{
  if (clmrs_db_worker_get_will_encrypt (self->worker))
    return _("Checking your PIN, then encrypting this device's data. This can take a minute or more: keep the device on.");
  return _("Checking…");
}

static void
submit (ClmrsSigninPage *self)
{
  if (self->person == NULL || self->worker == NULL || self->cancellable != NULL)
    return;
  switch (self->mode)
    {
    case MODE_CHOOSE:
      if (self->pin->len < CLMRS_PIN_MIN_DIGITS)
        {
          g_autofree char *text = g_strdup_printf (_("A new PIN has at least %d digits"), CLMRS_PIN_MIN_DIGITS);

          clear_pin (self);
          set_message (self, text, TRUE);
          return;
        }
      if (self->one_time->len > 0 && g_str_equal (self->pin->str, self->one_time->str))
        {
          clear_pin (self);
          set_message (self, _("Choose a PIN other than the one-time PIN"), TRUE);
          return;
        }
      g_string_assign (self->first, self->pin->str);
      self->mode = MODE_CONFIRM;
      clear_pin (self);
      show_prompt (self);
      return;

    case MODE_CONFIRM:
      if (!g_str_equal (self->pin->str, self->first->str))
        {
          set_mode (self, MODE_CHOOSE);
          set_message (self, _("The two PINs differ. Choose your PIN again."), TRUE);
          return;
        }
      set_message (self, clmrs_db_worker_get_will_encrypt (self->worker) ? checking_text (self)
                         : self->person->from_keyring && self->person->pin_state == CLMRS_PIN_STATE_ONE_TIME
                         ? _("Asking the server about the one-time PIN, then saving your PIN…")
                         : _("Saving your PIN…"), FALSE);
      gtk_widget_set_sensitive (GTK_WIDGET (self->keypad), FALSE);
      self->cancellable = g_cancellable_new ();
      clmrs_db_worker_set_own_pin_async (self->worker, self->person->id,
                                         self->one_time->len > 0 ? self->one_time->str : NULL,
                                         self->pin->str, self->cancellable, set_own_pin_cb, g_object_ref (self));
      clear_pin (self);
      return;

    case MODE_SIGN_IN:
    default:
      /* a PIN set before PINs had 6 digits may have 4 */
      if (self->pin->len < 4)
        {
          set_message (self, _("A PIN has at least 4 digits"), TRUE);
          return;
        }
      /* a first sign-in online: the server checks the one-time PIN once
         the person has chosen theirs (it is spent then) */
      if (self->person->from_keyring && self->person->pin_state == CLMRS_PIN_STATE_ONE_TIME)
        {
          keep_typed_then_choose (self);
          return;
        }
      set_message (self, checking_text (self), FALSE);
      gtk_widget_set_sensitive (GTK_WIDGET (self->keypad), FALSE);
      self->cancellable = g_cancellable_new ();
      clmrs_db_worker_check_pin_async (self->worker, self->person->id, self->pin->str,
                                       self->cancellable, check_pin_cb, g_object_ref (self));
      return;
    }
}

/* Types @digits as taps on the keypad do: digits, "\b" deletes, "\n" submits. */
void
clmrs_signin_page_type (ClmrsSigninPage *self,
                        const char      *digits)
{
  g_return_if_fail (CLMRS_IS_SIGNIN_PAGE (self));
  g_return_if_fail (digits != NULL);

  /* nobody chosen yet (the keypad shows beside the names when wide) */
  if (self->person == NULL)
    return;
  for (const char *p = digits; *p; p++)
    {
      /* "Wrong PIN" goes when the next PIN is being typed */
      if (*p != '\n' && self->error_shown)
        show_prompt (self);
      if (g_ascii_isdigit (*p) && self->pin->len < MAX_PIN_DIGITS)
        g_string_append_c (self->pin, *p);
      else if (*p == '\b' && self->pin->len > 0)
        g_string_truncate (self->pin, self->pin->len - 1);
      else if (*p == '\n')
        submit (self);
    }
  show_dots (self);
}

static void
key_clicked_cb (GtkButton       *button,
                ClmrsSigninPage *self)
{
  const char *key = g_object_get_data (G_OBJECT (button), "key");

  clmrs_signin_page_type (self, key);
}

static gboolean
key_pressed_cb (GtkEventControllerKey *controller,
                guint                  keyval,
                guint                  keycode,
                GdkModifierType        state,
                ClmrsSigninPage       *self)
{
  guint32 c = gdk_keyval_to_unicode (keyval);

  if (g_strcmp0 (adw_leaflet_get_visible_child_name (self->leaflet), "pin") != 0 &&
      adw_leaflet_get_folded (self->leaflet))
    return GDK_EVENT_PROPAGATE;
  if (c >= '0' && c <= '9')
    {
      char digit[2] = { (char) c, 0 };

      clmrs_signin_page_type (self, digit);
      return GDK_EVENT_STOP;
    }
  if (keyval == GDK_KEY_BackSpace)
    {
      clmrs_signin_page_type (self, "\b");
      return GDK_EVENT_STOP;
    }
  if (keyval == GDK_KEY_Return || keyval == GDK_KEY_KP_Enter)
    {
      GtkRoot *root = gtk_widget_get_root (GTK_WIDGET (self));
      GtkWidget *focus = root != NULL ? gtk_root_get_focus (root) : NULL;

      /* Enter on the keypad signs in (it would press the focused key,
         adding a digit); on the names it picks the name */
      if (focus != NULL && focus != GTK_WIDGET (self->keypad) &&
          !gtk_widget_is_ancestor (focus, GTK_WIDGET (self->keypad)))
        return GDK_EVENT_PROPAGATE;
      clmrs_signin_page_type (self, "\n");
      return GDK_EVENT_STOP;
    }
  return GDK_EVENT_PROPAGATE;
}

static void
choose (ClmrsSigninPage *self,
        ClmrsPerson     *person)
{
  g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  gtk_widget_set_sensitive (GTK_WIDGET (self->keypad), TRUE);
  self->person = person;
  adw_avatar_set_text (self->avatar, person->name);
  gtk_label_set_label (self->name_label, person->name);
  set_mode (self, MODE_SIGN_IN);
  /* no PIN yet: the person chooses one at once */
  if (person->pin_state == CLMRS_PIN_STATE_NONE)
    set_mode (self, MODE_CHOOSE);
  adw_leaflet_set_visible_child_name (self->leaflet, "pin");
  /* the keypad has the focus, so Enter signs in: at a phone's width the
     name's row slides away and the focus would fall on Back */
  gtk_widget_grab_focus (gtk_grid_get_child_at (self->keypad, 0, 0));
}

gboolean
clmrs_signin_page_select (ClmrsSigninPage *self,
                          const char      *person_id)
{
  g_return_val_if_fail (CLMRS_IS_SIGNIN_PAGE (self), FALSE);
  g_return_val_if_fail (person_id != NULL, FALSE);

  for (guint i = 0; self->people != NULL && i < self->people->len; i++)
    {
      ClmrsPerson *person = g_ptr_array_index (self->people, i);

      if (g_str_equal (person->id, person_id))
        {
          choose (self, person);
          return TRUE;
        }
    }
  return FALSE;
}

static void
person_activated_cb (ClmrsSigninPage *self,
                     GtkListBoxRow   *row)
{
  int index = gtk_list_box_row_get_index (row);

  if (self->people != NULL && index >= 0 && (guint) index < self->people->len)
    choose (self, g_ptr_array_index (self->people, index));
}

static void
back_clicked_cb (ClmrsSigninPage *self)
{
  clmrs_signin_page_reset (self);
}

void
clmrs_signin_page_reset (ClmrsSigninPage *self)
{
  g_return_if_fail (CLMRS_IS_SIGNIN_PAGE (self));

  g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  /* a name first: the keypad beside the names (when wide) waits for it */
  self->person = NULL;
  gtk_widget_set_sensitive (GTK_WIDGET (self->keypad), FALSE);
  set_mode (self, MODE_SIGN_IN);
  set_message (self, _("Choose your name first"), FALSE);
  adw_leaflet_set_visible_child_name (self->leaflet, "people");
}

void
clmrs_signin_page_set_worker (ClmrsSigninPage *self,
                              ClmrsDbWorker   *worker)
{
  g_return_if_fail (CLMRS_IS_SIGNIN_PAGE (self));

  g_set_object (&self->worker, worker);
}

static gpointer
person_copy (gconstpointer source,
             gpointer      user_data)
{
  const ClmrsPerson *person = source;
  ClmrsPerson *copy = g_new0 (ClmrsPerson, 1);

  copy->id = g_strdup (person->id);
  copy->name = g_strdup (person->name);
  copy->sex = g_strdup (person->sex);
  copy->supervisor = person->supervisor;
  copy->pin_state = person->pin_state;
  copy->from_keyring = person->from_keyring;
  copy->failures = person->failures;
  copy->locked_until = person->locked_until;
  copy->erased = person->erased;
  return copy;
}

/* Under a name: the role, or on an encrypted device (whose keyring holds
 * names only) whether the person can sign in now. */
static char *
person_subtitle (const ClmrsPerson *person)
{
  gint64 now = g_get_real_time () / G_USEC_PER_SEC;

  if (!person->from_keyring)
    return g_strdup (person->supervisor ? _("Supervisor") : _("Community facilitator"));
  if (person->erased)
    return g_strdup (_("Erased after 10 wrong PINs: ask a colleague or support"));
  if (person->pin_state == CLMRS_PIN_STATE_ONE_TIME)
    return g_strdup (_("First sign-in: the one-time PIN from your supervisor (needs the server)"));
  if (person->locked_until > now)
    /* Translators: %d is a number of seconds */
    return g_strdup_printf (_("Locked after wrong PINs: wait %d s"), (int) (person->locked_until - now));
  if (person->failures > 0)
    return g_strdup_printf (ngettext ("%u wrong PIN", "%u wrong PINs", person->failures), person->failures);
  return g_strdup (_("Can sign in on this device"));
}

/* The people may be listed again while someone is choosing or typing
 * (the list is read again at each sign-out, for the people a sync brought):
 * the person chosen stays chosen, with what they typed, when still listed. */
void
clmrs_signin_page_set_people (ClmrsSigninPage *self,
                              GPtrArray       *people)
{
  g_autofree char *chosen = NULL;
  GtkWidget *child;

  g_return_if_fail (CLMRS_IS_SIGNIN_PAGE (self));
  g_return_if_fail (people != NULL);

  if (self->person != NULL)
    chosen = g_strdup (self->person->id);
  self->person = NULL;
  while ((child = gtk_widget_get_first_child (GTK_WIDGET (self->people_list))) != NULL)
    gtk_list_box_remove (self->people_list, child);
  g_clear_pointer (&self->people, g_ptr_array_unref);
  self->people = g_ptr_array_copy (people, person_copy, NULL);
  g_ptr_array_set_free_func (self->people, (GDestroyNotify) clmrs_person_free);

  for (guint i = 0; i < self->people->len; i++)
    {
      ClmrsPerson *person = g_ptr_array_index (self->people, i);
      GtkWidget *row = adw_action_row_new ();
      GtkWidget *avatar = adw_avatar_new (48, person->name, TRUE);
      GtkWidget *arrow = gtk_image_new_from_icon_name ("go-next-symbolic");
      g_autofree char *subtitle = NULL;

      adw_preferences_row_set_use_markup (ADW_PREFERENCES_ROW (row), FALSE);
      adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), person->name);
      subtitle = person_subtitle (person);
      adw_action_row_set_subtitle (ADW_ACTION_ROW (row), subtitle);
      adw_action_row_add_prefix (ADW_ACTION_ROW (row), avatar);
      adw_action_row_add_suffix (ADW_ACTION_ROW (row), arrow);
      gtk_list_box_row_set_activatable (GTK_LIST_BOX_ROW (row), TRUE);
      gtk_widget_add_css_class (row, "person-row");
      gtk_list_box_append (self->people_list, row);
      if (chosen != NULL && g_str_equal (chosen, person->id))
        self->person = person;
    }
  if (self->person == NULL)
    clmrs_signin_page_reset (self);
}

static void
add_key (ClmrsSigninPage *self,
         const char      *key,
         const char      *icon_name,
         const char      *accessible_label,
         int              column,
         int              row)
{
  GtkWidget *button;

  if (icon_name != NULL)
    {
      button = gtk_button_new_from_icon_name (icon_name);
      gtk_widget_set_tooltip_text (button, accessible_label);
    }
  else
    button = gtk_button_new_with_label (key);
  gtk_accessible_update_property (GTK_ACCESSIBLE (button),
                                  GTK_ACCESSIBLE_PROPERTY_LABEL, accessible_label,
                                  -1);
  gtk_widget_set_size_request (button, 72, 64);
  gtk_widget_add_css_class (button, "key");
  if (g_str_equal (key, "\n"))
    gtk_widget_add_css_class (button, "suggested-action");
  g_object_set_data (G_OBJECT (button), "key", (gpointer) key);
  g_signal_connect (button, "clicked", G_CALLBACK (key_clicked_cb), self);
  gtk_grid_attach (self->keypad, button, column, row, 1, 1);
}

static void
clmrs_signin_page_dispose (GObject *object)
{
  ClmrsSigninPage *self = (ClmrsSigninPage *) object;

  g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  g_clear_object (&self->worker);
  g_clear_pointer (&self->people, g_ptr_array_unref);
  self->person = NULL;

  G_OBJECT_CLASS (clmrs_signin_page_parent_class)->dispose (object);
}

static void
clmrs_signin_page_finalize (GObject *object)
{
  ClmrsSigninPage *self = (ClmrsSigninPage *) object;

  wipe (self->pin);
  wipe (self->one_time);
  wipe (self->first);
  g_string_free (self->pin, TRUE);
  g_string_free (self->one_time, TRUE);
  g_string_free (self->first, TRUE);

  G_OBJECT_CLASS (clmrs_signin_page_parent_class)->finalize (object);
}

static void
clmrs_signin_page_class_init (ClmrsSigninPageClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = clmrs_signin_page_dispose;
  object_class->finalize = clmrs_signin_page_finalize;

  /**
   * ClmrsSigninPage::signed-in:
   * @person_id: who signed in
   * @person_name: their name
   * @person_sex: "male" or "female"
   * @supervisor: whether they are a supervisor
   *
   * The PIN was right (or, at a first sign-in, the person's own PIN
   * was chosen and saved).
   */
  signals[SIGNED_IN] = g_signal_new ("signed-in", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                                     0, NULL, NULL, NULL, G_TYPE_NONE, 4,
                                     G_TYPE_STRING, G_TYPE_STRING, G_TYPE_STRING, G_TYPE_BOOLEAN);

  gtk_widget_class_set_template_from_resource (widget_class, "/org/clmrs/Field/clmrs-signin-page.ui");
  gtk_widget_class_bind_template_child (widget_class, ClmrsSigninPage, leaflet);
  gtk_widget_class_bind_template_child (widget_class, ClmrsSigninPage, people_list);
  gtk_widget_class_bind_template_child (widget_class, ClmrsSigninPage, avatar);
  gtk_widget_class_bind_template_child (widget_class, ClmrsSigninPage, name_label);
  gtk_widget_class_bind_template_child (widget_class, ClmrsSigninPage, dots_label);
  gtk_widget_class_bind_template_child (widget_class, ClmrsSigninPage, message_label);
  gtk_widget_class_bind_template_child (widget_class, ClmrsSigninPage, keypad);
  gtk_widget_class_bind_template_callback (widget_class, person_activated_cb);
  gtk_widget_class_bind_template_callback (widget_class, back_clicked_cb);
}

static void
clmrs_signin_page_init (ClmrsSigninPage *self)
{
  static const char *const digits[] = { "1", "2", "3", "4", "5", "6", "7", "8", "9" };
  GtkEventController *keys;

  gtk_widget_init_template (GTK_WIDGET (self));
  self->pin = g_string_new (NULL);
  self->one_time = g_string_new (NULL);
  self->first = g_string_new (NULL);

  for (guint i = 0; i < G_N_ELEMENTS (digits); i++)
    add_key (self, digits[i], NULL, digits[i], i % 3, i / 3);
  add_key (self, "\b", "edit-clear-symbolic", _("Delete the last digit"), 0, 3);
  add_key (self, "0", NULL, "0", 1, 3);
  add_key (self, "\n", "object-select-symbolic", _("Sign in"), 2, 3);

  keys = gtk_event_controller_key_new ();
  /* before the focused key button sees Enter */
  gtk_event_controller_set_propagation_phase (keys, GTK_PHASE_CAPTURE);
  g_signal_connect (keys, "key-pressed", G_CALLBACK (key_pressed_cb), self);
  gtk_widget_add_controller (GTK_WIDGET (self), keys);
}

GtkWidget *
clmrs_signin_page_new (void)
{
  return g_object_new (CLMRS_TYPE_SIGNIN_PAGE, NULL);
}
