"""The vendor's order listing geometry (page size, offset ceiling) and how many pages a scan reads: the one
place the client, the listing filters, the refresh view and the reconciliation take them from.

Public clients saw pages of up to 1000 records on the live API, and no offset above 1000 (docs/vendor-api.md
§9.4), so a listing reads at most offset 1000 plus one page. Kept free of imports: the resources read these at
start-up without loading the client's models or transport.
"""

#: the largest page GoGetSSL gives (`limit` of getAllSSLOrders): an account of up to this many orders is one call
LISTING_PAGE = 1000
#: the highest offset GoGetSSL lists from: a page asked for past it is refused
LISTING_OFFSET_CEILING = 1000
#: how many orders a listing can reach at all: offset ceiling plus one page (2,000)
LISTING_REACH = LISTING_OFFSET_CEILING + LISTING_PAGE
#: never more pages than this in one scan or view: pages of LISTING_PAGE reach the offset ceiling long before
#: (a server capping pages at 100 still shows 20,000 orders); past it a scan is partial and proves nothing
LISTING_MAX_PAGES = 200
