"""The label station: the floor's one screen for printing QR labels.

Made for a touch screen or a laptop on a trolley beside a printer, used with gloves and a
hand scanner: large type, large buttons, one box that takes a scan. A barcode scanner types
the order or lot number and presses Enter; the station looks it up in the replica (orders
with their material's colour and name; material codes; the station's own QR labels, read
back from their URI), fills the label's fields, and the operator picks the label stock,
the number of copies and the printer, and presses Print.

Every print is a label job (:mod:`workbench.labels.jobs`): saved before the printer is
contacted, then marked printed or failed, and synced, so the server's audit trail shows
every label printed. Today's jobs are listed with their state; a failed job (a Zebra
switched off, a full disk) is retried from the list, to the same printer or another one.
Opening, printing and look-ups run on workers (:class:`~ui.ops.OpRunner`): the screen never
freezes while a printer times out, and it all works offline, from the replica alone. The
station shows at once and says it is opening; until its start-up reads have arrived
(`workbench.labels.station`: the labels' id scheme, the user, the stock and printer used
last, the jobs) nothing can be scanned, chosen or printed.

Printers: a PDF file, a Zebra on the network (``zpl://host:port``, raw port 9100), or a
printer of the operating system chosen in its print dialog (see :mod:`ui.print_dialog`).
The station remembers the last printer and template on this laptop
(`workbench.labels.station`).

``LabelStation(workspace, ops)`` is the window (`window`); the label's fields are in `form`,
the stock, copies and printer in `print_panel`, the jobs in `jobs_list`, looking a scan up in
`scanning`, printing, reprinting and retrying in `printing`, its look in `style`.
What a scan names, and the quantity typed on a label, are read in `workbench.labels.scan`.
"""

from __future__ import annotations

from ui.station.window import LabelStation
from workbench.labels.scan import Scan, look_up, parse_quantity

__all__ = ["LabelStation", "Scan", "look_up", "parse_quantity"]
