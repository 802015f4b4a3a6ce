"""One code package deployed as the four agent functions (AGENT_ROLE search|summary|writer|reviser)."""
