/** The sandbox's invented brands and the vocabulary their customers use about them. */

export interface SandboxBrand {
  name: string;
  /** X username without @. */
  handle: string;
  /** X user id of the brand account. */
  userId: string;
  /** Words to listen for besides the handle: product names and common misspellings. */
  keywords: string[];
}

/** What customers talk about for one brand; `{order}` patterns are filled per post. */
export interface BrandVocab {
  products: string[];
  misspellings: string[];
  issues: string[];
  actions: string[];
  requests: string[];
  ideas: string[];
  praise: string[];
  news: string[];
  places: string[];
  outage: string[];
  /** Makes an order/booking/account reference. */
  orderRef: 'phone' | 'booking' | 'order';
}

export const DEFAULT_BRANDS: SandboxBrand[] = [
  { name: 'Nimbus Mobile', handle: 'nimbusmobile', userId: '1456012973835788293', keywords: ['Nimbus Mobile', 'nimbus mobil', 'nimbis', 'Nimbus 5G', 'Nimbus Fibre'] },
  { name: 'Skylark Air', handle: 'skylarkair', userId: '1522929456142245888', keywords: ['Skylark Air', 'skylark airways', 'sky lark air', 'skylar air', 'SkyPoints'] },
  { name: 'Forkful', handle: 'forkful', userId: '1377649934414049282', keywords: ['Forkful', 'forkfull', 'fork ful', 'Forkful+'] },
];

const GENERIC: BrandVocab = {
  products: ['app', 'website', 'account', 'subscription'],
  misspellings: [],
  issues: ['app keeps crashing', "can't log in", 'charged twice', 'nobody answers the chat', 'order is stuck'],
  actions: ['cancel my subscription', 'change my email', 'get a refund', 'reset my password'],
  requests: ['cancel my account', 'refund the double charge', 'call me back', 'escalate this'],
  ideas: ['add a dark mode', 'let us pay with PayPal', 'open a chat on weekends'],
  praise: ['support sorted it in 5 minutes', 'the new app is so much faster'],
  news: ['announces new CEO', 'shares fall after results', 'to open new office'],
  places: ['London', 'Leeds', 'Bristol'],
  outage: ['app down', "can't log in", 'site not loading'],
  orderRef: 'order',
};

export const VOCAB: Record<string, BrandVocab> = {
  nimbusmobile: {
    products: ['Nimbus Unlimited', '5G Max plan', 'eSIM', 'Nimbus app', 'pay monthly plan', 'roaming pass', 'Nimbus Fibre', 'SIM only deal', 'Nimbus 5G'],
    misspellings: ['nimbus mobil', 'nimbis', 'Nimbus Moblie', 'nimbus'],
    issues: ['no signal', 'mobile data not working', 'my bill is double what it should be', 'eSIM activation stuck', 'calls keep dropping', 'roaming not working', "can't top up", 'Nimbus Fibre keeps cutting out', '5G shows but nothing loads'],
    actions: ['cancel my contract', 'port my number', 'set up an eSIM', 'check my data usage', 'turn on roaming', 'get my PAC code', 'upgrade my phone early'],
    requests: ['unlock my phone', 'send me my PAC code', 'refund the roaming charges', 'reset my voicemail PIN', 'call me back about my bill'],
    ideas: ['add rollover data', 'let us pause the contract when abroad', 'show data usage in the widget', 'do a family plan with shared data'],
    praise: ['the 5G in town is actually fast now', 'sorted my bill in one chat', 'roaming pass worked perfectly in Spain', 'switched to eSIM in 2 minutes'],
    news: ['to cut 300 jobs in network overhaul', 'fined by Ofcom over billing errors', 'launches 5G in 40 more towns', 'reports record subscriber growth'],
    places: ['Leeds', 'Manchester', 'Bristol', 'Glasgow', 'Cardiff', 'Brighton', 'Leicester', 'Croydon', 'Sheffield', 'Newcastle'],
    outage: ['no signal', 'no data', "can't make calls", 'SOS only', 'network down', 'texts not sending'],
    orderRef: 'phone',
  },
  skylarkair: {
    products: ['SkyPoints', 'Skylark app', 'Premium Economy', 'Flex fare', 'seat selection', 'checked bag', 'lounge pass', 'online check-in'],
    misspellings: ['skylark', 'sky lark air', 'skylar air', 'Skylark Airways'],
    issues: ['flight delayed 4 hours and no info', 'lost my bag', 'refund still not here after 6 weeks', "app won't let me check in", 'flight cancelled last minute', 'my seat got changed', 'charged for a bag I already paid for', 'SkyPoints disappeared'],
    actions: ['change my flight', 'add a bag', 'use SkyPoints for an upgrade', 'get a refund for a cancelled flight', 'change the name on a booking', 'bring a guitar on board'],
    requests: ['rebook me on the next flight', 'refund my cancelled flight', 'find my bag', 'add my SkyPoints number to booking', 'fix the name on my ticket'],
    ideas: ['show the gate in the app earlier', 'let us pick meals when booking', 'add wifi on short haul', 'send delay texts before we get to the airport'],
    praise: ['crew on the Lisbon flight were brilliant', 'upgrade to Premium Economy was so worth it', 'landed 20 minutes early', 'the new app check-in is smooth'],
    news: ['adds 12 new routes for summer', 'pilots vote to strike', 'posts quarterly profit', 'orders 30 new aircraft'],
    places: ['Gatwick', 'Manchester airport', 'Dublin', 'Lisbon', 'Malaga', 'Edinburgh', 'Amsterdam', 'Barcelona', 'Faro', 'Stansted'],
    outage: ['check-in system down', 'app not loading', 'all flights delayed', 'bag drop not working', 'website crashing'],
    orderRef: 'booking',
  },
  forkful: {
    products: ['Forkful+', 'Forkful app', 'FreeDelivery pass', 'group order', 'Forkful vouchers', 'scheduled delivery'],
    misspellings: ['forkfull', 'fork ful', 'forkfl', 'Forkfull app'],
    issues: ['order never arrived', 'food arrived cold', 'missing items again', 'charged twice', 'rider went to the wrong address', 'promo code not working', 'order cancelled after 50 minutes', 'refund rejected'],
    actions: ['cancel Forkful+', 'add a tip after delivery', 'change my delivery address', 'get a refund for missing items', 'use two promo codes', 'report a rude rider'],
    requests: ['refund my order', 'cancel my Forkful+ renewal', 'send the missing drinks', 'remove my card', 'delete my account'],
    ideas: ['let us split the bill in group orders', 'show allergens on every dish', 'add a no-cutlery default', 'live chat with the restaurant'],
    praise: ['rider was lovely and so quick', 'refund came through in minutes', 'Forkful+ has paid for itself', 'found my new favourite thai place on the app'],
    news: ['riders to strike over pay', 'expands to 20 new cities', 'fined over hidden fees', 'partners with supermarket chain'],
    places: ['Shoreditch', 'Camden', 'Salford', 'Clifton', 'Hackney', 'Headingley', 'Didsbury', 'Leith'],
    outage: ["app won't load", "can't place orders", 'payments failing', 'orders stuck on preparing'],
    orderRef: 'order',
  },
};

export function vocabFor(handle: string): BrandVocab {
  return VOCAB[handle.toLowerCase()] ?? GENERIC;
}

/**
 * Every way the sandbox's customers name a brand without tagging it: name, keywords and misspellings. The sandbox
 * streams all of them, so a backfill search that should find what the stream carried must listen for them too.
 */
export function listeningTerms(brand: SandboxBrand): string[] {
  return [...new Set([brand.name, ...brand.keywords, ...vocabFor(brand.handle).misspellings].map((t) => t.trim()).filter(Boolean))];
}
