package io.rotationdrag.gateway.auth;

/**
 * Who calls: the principal of an API key. An admin sees and cancels every job and sweep; a user only their own.
 *
 * @param name owner name stored with jobs and sweeps ([A-Za-z0-9_-], at most 100 characters)
 */
public record Principal(String name, boolean admin) {
    public Principal {
        if (name == null || !name.matches("[A-Za-z0-9_-]{1,100}")) {
            throw new IllegalArgumentException("principal names are 1-100 characters of A-Z a-z 0-9 _ -, got '"
                    + name + "'");
        }
    }

    /** True when this principal may see a resource of that owner. */
    public boolean mayAccess(String owner) {
        return admin || name.equals(owner);
    }

    /** Owner filter of a listing: null (everything) for an admin. */
    public String listFilter() {
        return admin ? null : name;
    }
}
