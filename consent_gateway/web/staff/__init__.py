"""What staff open in a browser: sign-in and sessions, marketing's dashboard, the DPO's workspace."""
