using Svrnty.CQRS.Events.Tool;

return await SvrntyEventsCli.InvokeAsync(args, Console.Out, Console.Error).ConfigureAwait(false);
