"""The Team menu, the status bar's team label, the sync on start and on a timer, and the team's insights
(the desktop side of msldesk/team/; every action calls the service functions the `msldesk team` commands
call)."""
