// The demo site's "analytics" tag: runs only once audience measurement is granted.
document.cookie = "demo_analytics=1; Max-Age=34128000; Path=/; SameSite=Lax";
(window.demoTagOrder = window.demoTagOrder || []).push("analytics");
