// The demo "video player", a third party's embed: it sets its own cookie once it is loaded.
document.cookie = "demo_video=1; Max-Age=2592000; Path=/; SameSite=Lax";
