// What the first layer does not need: the preferences dialog and the contact forms. The per-site
// script carries it before the main code; the generic script fetches it when first needed.

import { openPreferences } from './prefs.js';
import { prefetchContact, submitContact } from './contact.js';

window.__iqExtra = { openPreferences, prefetchContact, submitContact };
