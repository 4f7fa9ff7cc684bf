package app

// Message is the body of every successful answer of the quickstart routes.
type Message struct {
	Message string `json:"message"`
}

// What each route answers, the same in every example.
var (
	PublicMessage        = Message{"Hello from a public endpoint! You don't need to be authenticated to see this."}
	PrivateMessage       = Message{"Hello from a private endpoint! You need to be authenticated to see this."}
	PrivateScopedMessage = Message{"Hello from a private endpoint! You need to be authenticated and have a scope of read:messages to see this."}
	OrgAdminMessage      = Message{"Hello, organization admin! You have the org:admin:example permission."}
	StepUpMessage        = Message{"Hello! You authenticated strongly and recently enough to see this."}
)
