"""Word lists that give generated teams and services names a reader can tell apart."""

BUSINESS_AREAS = (
    "Retail banking", "Underwriting", "Claims handling", "Finance", "Marketing", "Sales",
    "Customer care", "Procurement", "Legal", "People and culture", "Logistics", "Corporate risk",
)
TECHNOLOGY_DOMAINS = (
    "Payments", "Claims", "Policy", "Billing", "Identity", "Data", "Mobile", "Web", "Integration",
    "Network", "Workplace", "Analytics", "CRM", "ERP", "Search", "Messaging",
)
TECHNOLOGY_UNITS = ("platform team", "product team", "SRE", "engineering", "service desk", "operations")
COMPANY_NAMES = (
    "Acme", "Northwind", "Globex", "Initech", "Contoso", "Fabrikam", "Tailspin", "Umbra",
    "Vandelay", "Wonka", "Hooli", "Soylent", "Cyberdyne", "Tyrell", "Wayfarer", "Blue Harbor",
)
VENDOR_SUFFIXES = ("Cloud", "Software", "Systems", "Networks", "Data", "Security")
PROVIDER_SUFFIXES = ("Consulting", "Managed Services", "Integration", "Outsourcing")
CUSTOMER_NAMES = ("Retail customers", "Enterprise clients", "Public sector clients", "Partner banks",
                  "Brokers", "Franchisees")
SERVICE_THINGS = (
    "portal", "API", "mobile app", "data warehouse", "batch jobs", "reporting", "gateway",
    "scheduler", "search", "document store", "notification service", "back office",
)
