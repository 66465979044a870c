import { TeamsActivityHandler, type AdaptiveCardInvokeResponse, type AdaptiveCardInvokeValue, type TurnContext } from 'botbuilder';

// The botbuilder handler: routes the activities we care about to three callbacks and answers
// anything else the SDK's default way. Kept separate so adapter.ts stays about transport.

export interface TeamsBotCallbacks {
  /** Every activity with a conversation: remember where to post later. */
  remember(context: TurnContext): Promise<void>;
  message(context: TurnContext): Promise<void>;
  cardAction(context: TurnContext, value: AdaptiveCardInvokeValue): Promise<AdaptiveCardInvokeResponse>;
}

export class TeamsBot extends TeamsActivityHandler {
  constructor(private readonly callbacks: TeamsBotCallbacks) {
    super();
    this.onTurn(async (context, next) => {
      await this.callbacks.remember(context);
      await next();
    });
    this.onMessage(async (context, next) => {
      await this.callbacks.message(context);
      await next();
    });
  }

  protected override onAdaptiveCardInvoke(context: TurnContext, value: AdaptiveCardInvokeValue): Promise<AdaptiveCardInvokeResponse> {
    return this.callbacks.cardAction(context, value);
  }
}
